//! Characters that change how text reads, wherever it goes: the loader refuses them in free
//! text, and the renderers escape them where text from elsewhere (file names) reaches a comment.

/// Whether `c` ends a line for some reader of the output: the control characters (`\n`, `\r`,
/// NEL U+0085 …), and U+2028 and U+2029, which YAML 1.1 readers (PyYAML, cfn-lint) take for line
/// breaks.
pub fn breaks_lines(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Whether `c` is a noncharacter that YAML 1.1 readers (PyYAML, so cfn-lint) refuse anywhere in
/// a stream, comments included: U+FFFE and U+FFFF.
pub fn yaml_refuses(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `c` can make text read other than it is: the bidirectional embeddings, overrides and
/// isolates ("Trojan Source"), which reorder a line on screen.
pub fn reorders_text(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
