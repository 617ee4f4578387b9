<?php
// Seaways Ferry online booking - database connection
define('DB_HOST', 'db.seaways.example.jp');
define('DB_NAME', 'booking');
define('DB_USER', 'booking');
define('DB_PASSWORD', 'Seaways2017db');
define('DB_CHARSET', 'utf8');
