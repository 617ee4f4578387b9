<?php
// Seaways Ferry - online booking, front page
require_once dirname(__FILE__) . '/config.php';
?>
<html>
<head><title>Seaways Ferry - Online Booking</title></head>
<body>
<h1>Seaways Ferry</h1>
<p>Book your crossing online.</p>
</body>
</html>
