<?php
// Seaways Ferry - timetable (Nov 2016 release)
require_once dirname(__FILE__) . '/inc/header.php';
?>
<h1>Timetable</h1>
<table class="timetable"><tr><td>07:30</td><td>Port A - Port B</td></tr></table>
<?php require_once dirname(__FILE__) . '/inc/footer.php'; ?>
