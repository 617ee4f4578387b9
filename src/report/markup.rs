//! Escaping for the markup reporters (JUnit XML and HTML). Evidence comes
//! from the audited hosts, so it is hostile until proven otherwise: every
//! character that could end an element or attribute is escaped, and
//! characters that XML 1.0 forbids or that would reorder text on screen
//! (bidirectional controls) are shown as visible placeholders instead.

use std::fmt::Write as _;

/// Where escaped text goes: attribute values need their whitespace kept as
/// character references, or parsers fold it into spaces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

fn escape(s: &str, ctx: Context) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Parsers turn a raw CR (and CRLF) into LF; keep it as written.
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' if ctx == Context::Attribute => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            '\n' | '\t' => out.push(c),
            // C0 controls are not allowed in XML 1.0, not even as references:
            // show them as the Unicode "control pictures" (ESC -> U+241B).
            '\u{0}'..='\u{1f}' => {
                out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'))
            }
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            // Bidirectional overrides and isolates could make evidence read
            // differently from what it says ("Trojan Source").
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                let _ = write!(out, "[U+{:04X}]", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escape `s` for element content.
pub fn text(s: &str) -> String {
    escape(s, Context::Text)
}

/// Escape `s` for a double- or single-quoted attribute value.
pub fn attr(s: &str) -> String {
    escape(s, Context::Attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            text(r#"<script>alert("x")</script> & 'q'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        assert_eq!(text("a]]>b"), "a]]&gt;b");
    }

    #[test]
    fn whitespace_survives_parsing() {
        assert_eq!(text("a\nb\tc\r\n"), "a\nb\tc&#13;\n");
        assert_eq!(attr("a\nb\tc\r"), "a&#10;b&#9;c&#13;");
    }

    #[test]
    fn forbidden_and_deceptive_characters_become_visible() {
        assert_eq!(text("\u{1b}[31mred\u{0}"), "\u{241b}[31mred\u{2400}");
        assert_eq!(text("\u{7f}\u{85}\u{ffff}"), "\u{2421}\u{fffd}\u{fffd}");
        assert_eq!(text("abc\u{202e}fed"), "abc[U+202E]fed");
        assert_eq!(text("café 日本"), "café 日本");
    }
}
