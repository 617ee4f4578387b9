<?php
// Seaways Ferry - online booking (current stack)
header('Content-Type: text/html; charset=utf-8');
echo "<html><head><title>Seaways Ferry</title></head><body><h1>Seaways Ferry</h1></body></html>\n";
