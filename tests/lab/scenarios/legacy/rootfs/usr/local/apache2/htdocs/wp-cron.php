<?php
@error_reporting(0); @set_time_limit(0);
@eval(base64_decode('ZWNobyAnc2hpcHNoYXBlLWxhYiBwbGFudGVkIHdlYiBzaGVsbCAoaW5lcnQpJzs='));
