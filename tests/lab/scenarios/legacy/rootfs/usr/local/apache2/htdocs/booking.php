<?php
// Seaways Ferry - booking form (Nov 2016 release)
require_once dirname(__FILE__) . '/inc/header.php';
?>
<h1>Book a crossing</h1>
<form method="post" action="/booking.php" onsubmit="return checkForm(this)">
<input name="date" type="date"> <input type="submit" value="Book">
</form>
<script src="/js/booking.js"></script>
<?php require_once dirname(__FILE__) . '/inc/footer.php'; ?>
