use super::*;

fn set(literals: &[&str]) -> Option<Literals> {
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

#[test]
fn alternations_require_one_literal_per_branch() {
    assert_eq!(
        required("(?i)rate limit|too many requests|throttl"),
        set(&["rate limit", "throttl", "too many requests"])
    );
    assert_eq!(
        required(r"(?i)\bper day\b|\((?:RPD|TPD)\)|/\s*day\b"),
        set(&["(rpd)", "(tpd)", "day"])
    );
}

#[test]
fn concatenations_keep_their_longest_literal() {
    // `\s*` breaks the run: the longer side is kept.
    assert_eq!(required(r"(?i)\blimit:?\s*0(?:\.0+)?"), set(&["limit"]));
    assert_eq!(required(r"(?i)timeout of \d+ms"), set(&["timeout of "]));
    // Small classes and optional pieces multiply out.
    assert_eq!(required("(?i)api[ _-]?key"), set(&["api key", "api-key", "api_key", "apikey"]));
    // A literal holding another is dropped: `the model` holds `model`.
    assert_eq!(required("(?:the )?model"), set(&["model"]));
    // Captures and repetitions of at least one keep what their insides need.
    assert_eq!(
        required(r"(?P<n>\d+) in (?:the messages|your prompt)"),
        set(&[" in the messages", " in your prompt"])
    );
    assert_eq!(required("(?:abc)+x"), set(&["abc"]));
}

#[test]
fn case_is_folded_to_lowercase() {
    assert_eq!(required(r"\((?P<d>TPM|RPM)\)"), set(&["(rpm)", "(tpm)"]));
    assert_eq!(required("(?i)ECONNRESET"), set(&["econnreset"]));
}

#[test]
fn patterns_without_a_required_literal_are_unknown() {
    for pattern in [r"\d+", ".*", "^$", "a*", "(?:x|)", r"[a-z]+\d", "(?:abc|\\d+)", "((("] {
        assert_eq!(required(pattern), None, "{pattern}");
    }
}

/// Every string of up to `len` bytes over `alphabet`.
fn strings(alphabet: &[u8], len: usize) -> Vec<Vec<u8>> {
    let mut all = vec![Vec::new()];
    let mut last = vec![Vec::new()];
    for _ in 0..len {
        last = last
            .iter()
            .flat_map(|s: &Vec<u8>| alphabet.iter().map(move |c| [s.as_slice(), &[*c]].concat()))
            .collect();
        all.extend(last.iter().cloned());
    }
    all
}

/// For small patterns, every short string: a match always holds a literal.
#[test]
fn no_match_is_ruled_out_on_every_short_string() {
    let patterns = [
        "(?:ab|c)?d",
        "x{0,3}y",
        "(?i)a[ _-]?b",
        "(a|b)(c|d)e*a",
        r"\bab\b|ba",
        "a(?:b|)c",
        "(?i)AB(?-i:C)",
        "(?:a|b)+c?d",
        "a.c|dd",
        "(?:ab){2}",
        "^a|b$",
        "[abc]d[b-d]",
    ];
    let texts = strings(b"abcdxyAB_ -", 5);
    for pattern in patterns {
        let regex = regex::bytes::RegexBuilder::new(pattern).unicode(false).build().expect("valid");
        let prefilter = Prefilter::new([pattern]);
        for text in &texts {
            if regex.is_match(text) {
                assert!(
                    prefilter.candidates(text).contains(0),
                    "{pattern} ruled out {:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}

#[test]
fn candidates_are_the_patterns_whose_literal_occurs() {
    let prefilter = Prefilter::new(["(?i)quota", r"\d+", "rate limit|throttl", "(?i)quota|limit"]);
    let found = |text: &str| {
        let c = prefilter.candidates(text.as_bytes());
        (0..4).filter(|i| c.contains(*i)).collect::<Vec<_>>()
    };
    assert_eq!(found("QUOTA exceeded"), vec![0, 1, 3]);
    assert_eq!(found("Rate Limit hit"), vec![1, 2, 3]);
    assert_eq!(found("nothing here"), vec![1]);
    let none = Prefilter::new(Vec::<&str>::new());
    assert_eq!(none.candidates(b"anything"), Candidates { bits: Vec::new() });
}
