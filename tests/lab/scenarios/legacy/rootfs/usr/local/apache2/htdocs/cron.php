<?php
// dropper stand-in: only reports where the kit would go (inert)
$d = '/usr/local/share/man/.cache/.x';
$u = 'http://pool.example.invalid/upd';
echo is_dir($d) ? "ok $d\n" : "missing $d\n";
