use super::*;
use crate::aggregate::{Counts, Example, Place};

/// A small part with a value in most kinds of field.
fn part() -> Part {
    let mut stats = Stats { lines: 5, successes: 3, failures: 1, blank: 1, ..Stats::default() };
    stats.keys.insert("sk-...abcd#0001".into(), Counts { requests: 4, failures: 1 });
    stats.minutes.insert(29_000_000, Counts { requests: 4, failures: 1 });
    let cause = stats.causes.entry(3).or_default();
    cause.count = 1;
    cause.example = Some(Example {
        place: Place { file: 1, line: 2 },
        status: Some(429),
        message: "Rate limit reached".into(),
    });
    let row = |path: &str, lines| FileRow {
        path: path.into(),
        format: "canonical".into(),
        compression: "none".into(),
        lines,
        error: None,
    };
    let counts = FileCounts { requests: 2, ..FileCounts::default() };
    Part {
        fold: Fold { since: Some(1), until: None, breakdown: None, max_distinct: 10, rules: 7 },
        files: vec![row("a.jsonl", 2), row("b.jsonl", 3)],
        counts: vec![counts, counts],
        stats,
    }
}

fn bytes(part: &Part) -> Vec<u8> {
    let mut out = Vec::new();
    write(part, &mut out).unwrap();
    out
}

#[test]
fn a_state_reads_back_as_written_and_is_written_alike() {
    let part = part();
    let written = bytes(&part);
    assert!(written.starts_with(MAGIC));
    assert_eq!(decode(&written), Ok(part.clone()));
    assert_eq!(bytes(&decode(&written).unwrap()), written);
}

#[test]
fn a_damaged_state_is_refused_never_read_as_other_numbers() {
    let part = part();
    let written = bytes(&part);
    for at in 0..written.len() {
        for bit in [0x01, 0x80] {
            let mut damaged = written.clone();
            damaged[at] ^= bit;
            // A flip the format cannot see (a frame header's unused bit) may
            // read as the same state; a different one, never.
            if let Ok(read) = decode(&damaged) {
                assert_eq!(read, part, "byte {at} bit {bit:#x}");
            }
        }
    }
    for len in 0..written.len() {
        assert!(decode(&written[..len]).is_err(), "cut at {len}");
    }
    let mut longer = written.clone();
    longer.extend_from_slice(b"more");
    assert!(decode(&longer).is_err());
}

#[test]
fn refusals_say_why() {
    let written = bytes(&part());
    assert_eq!(decode(b"{\"ts\": 1}\n").unwrap_err(), "not an errlens state file");
    let other =
        String::from_utf8_lossy(&written).replacen(&header(), "format 9 errlens 9.9.9\n", 1);
    let mut other = other.into_bytes();
    other.truncate(MAGIC.len() + 30);
    let message = decode(&other).unwrap_err();
    assert!(message.contains("format 9 errlens 9.9.9"), "{message}");
    assert!(message.contains("reads only states of its own version"), "{message}");
}

#[test]
fn inconsistent_counts_are_corrupt() {
    let mut part = part();
    part.stats.lines += 1;
    assert!(decode(&bytes(&part)).unwrap_err().contains("do not add up"));
    let mut part = self::part();
    part.files.pop();
    part.counts.pop();
    part.stats.lines = 2;
    assert!(decode(&bytes(&part)).unwrap_err().contains("outside its files"));
    let mut part = self::part();
    part.stats.extra_records = 99;
    assert!(decode(&bytes(&part)).unwrap_err().contains("accounted"));
}

#[test]
fn folds_that_differ_name_the_flag() {
    let run = part().fold;
    assert_eq!(run.difference(&run), None);
    type Change = fn(&mut Fold);
    let cases: [(&str, Change); 5] = [
        ("rules", |f| f.rules += 1),
        ("--since", |f| f.since = None),
        ("--until", |f| f.until = Some(1_795_305_600_000)),
        ("--by / --every", |f| f.breakdown = Some(Spec::default())),
        ("--max-distinct", |f| f.max_distinct = 1),
    ];
    for (flag, change) in cases {
        let mut state = run.clone();
        change(&mut state);
        let message = state.difference(&run).expect(flag);
        assert!(message.contains(flag), "{message}");
    }
}

#[test]
fn the_rules_fingerprint_follows_the_rules_text_not_their_path() {
    let a = rules_fingerprint(&[("a.toml".into(), "x".into())]);
    assert_eq!(a, rules_fingerprint(&[("b.toml".into(), "x".into())]));
    assert_ne!(a, rules_fingerprint(&[("a.toml".into(), "y".into())]));
    assert_ne!(a, rules_fingerprint(&[]));
}
