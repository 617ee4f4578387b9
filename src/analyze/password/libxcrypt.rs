//! The system's crypt(3): libxcrypt (Debian's `libcrypt1`, priority
//! required, what PAM and `john --format=crypt` call). It verifies yescrypt
//! about 1.5 times as fast as the pure-Rust `yescrypt` crate on this
//! hardware (its Salsa20/8 core uses SSE2), which decides how many
//! candidates a search gets through in its budget. Used for yescrypt and
//! sha256/512crypt where the library takes the hash; the pure-Rust code
//! stays the fallback and the judge of malformed hashes.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};

/// `sizeof (struct crypt_data)` in libxcrypt's crypt.h.
const DATA_SIZE: usize = 32768;

#[link(name = "crypt")]
extern "C" {
    fn crypt_rn(
        phrase: *const c_char,
        setting: *const c_char,
        data: *mut c_void,
        size: c_int,
    ) -> *mut c_char;
}

thread_local! {
    /// Each thread's `struct crypt_data`, zeroed before its first use as
    /// crypt.h asks; the library erases its scratch part after each call.
    static DATA: RefCell<Vec<u8>> = RefCell::new(vec![0; DATA_SIZE]);
}

/// `crypt(phrase, setting)`; `None` when libxcrypt refuses (a scheme it
/// does not know, a malformed setting, a phrase with a NUL byte or longer
/// than its 512-byte limit).
pub fn crypt(phrase: &[u8], setting: &CStr) -> Option<Vec<u8>> {
    let phrase = CString::new(phrase).ok()?;
    DATA.with(|d| {
        let mut d = d.borrow_mut();
        // SAFETY: both strings are NUL-terminated and outlive the call; the
        // data area is DATA_SIZE bytes, which crypt_rn requires to be at
        // least sizeof (struct crypt_data); the result (NULL on error)
        // points into that area and is copied out before it is used again.
        let out = unsafe {
            crypt_rn(
                phrase.as_ptr(),
                setting.as_ptr(),
                d.as_mut_ptr().cast(),
                DATA_SIZE as c_int,
            )
        };
        if out.is_null() {
            return None;
        }
        // SAFETY: non-NULL results are NUL-terminated strings in `d`.
        Some(unsafe { CStr::from_ptr(out) }.to_bytes().to_vec())
    })
}

/// The hash as a setting for [`crypt`], when libxcrypt computes hashes of
/// the same scheme from it (the output starts with the setting's prefix up
/// to the salt).
pub fn setting_for(hash: &str) -> Option<CString> {
    let setting = CString::new(hash).ok()?;
    let out = crypt(b"shipshape-backend-check", &setting)?;
    let prefix = &hash[..hash.rfind('$')?];
    out.starts_with(prefix.as_bytes()).then_some(setting)
}
