<?php
// Seaways Ferry - common page footer (Nov 2016 release)
?>
<p>&copy; 2016 Seaways Ferry</p>
</body>
</html>
