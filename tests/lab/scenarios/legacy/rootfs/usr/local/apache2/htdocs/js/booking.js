// Seaways Ferry - booking form helpers (Nov 2016 release)
function checkForm(f) {
  if (!f.date.value) { alert('Please choose a date'); return false; }
  return true;
}
