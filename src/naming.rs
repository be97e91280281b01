//! Names derived from the blueprint: CloudFormation logical IDs and AWS resource names.

/// `app-db` → `AppDb`: the logical-ID form of a kebab-case name.
pub fn pascal_case(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `0` → `a`, `25` → `z`, `26` → `aa`: the letter that labels the n-th AZ.
pub fn az_letter(index: usize) -> String {
    let mut n = index;
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(pascal_case("public"), "Public");
        assert_eq!(pascal_case("app-db-2"), "AppDb2");
    }

    #[test]
    fn az_letters_continue_past_z() {
        assert_eq!(az_letter(0), "a");
        assert_eq!(az_letter(25), "z");
        assert_eq!(az_letter(26), "aa");
        assert_eq!(az_letter(27), "ab");
    }
}
