<?php
// Seaways Ferry - common page header (Nov 2016 release)
?>
<html>
<head><title>Seaways Ferry</title><link rel="stylesheet" href="/css/style.css"></head>
<body>
