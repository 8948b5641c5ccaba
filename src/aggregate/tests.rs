use super::*;

fn place(line: u64) -> Place {
    Place { file: 0, line }
}

#[test]
fn occurrences_keep_the_earliest_places_in_any_order() {
    let mut a = Occurrences::default();
    for l in [9, 3, 7, 1, 8, 2, 6] {
        a.add(place(l));
    }
    assert_eq!(a.count, 7);
    assert_eq!(a.first, [1, 2, 3, 6, 7].map(place));
    let (mut x, mut y) = (Occurrences::default(), Occurrences::default());
    [9, 3, 7].into_iter().for_each(|l| x.add(place(l)));
    [1, 8, 2, 6].into_iter().for_each(|l| y.add(place(l)));
    let mut xy = x.clone();
    xy.merge(y.clone());
    y.merge(x);
    assert_eq!(xy, a);
    assert_eq!(y, a);
}

#[test]
fn set_aside_input_is_accounted_for() {
    let mut s = Stats { lines: 3, extra_records: 1, ..Stats::default() };
    s.aside(Aside::Unrecognized, place(1));
    s.aside(Aside::NotLlm, place(2));
    s.aside(Aside::NotLlm, place(2));
    s.successes = 1;
    // Line 1 unrecognised, line 2 two non-LLM spans, line 3 a success.
    assert_eq!(s.accounted(), s.lines);
    s.shift_lines(10);
    assert_eq!(s.aside[&Aside::NotLlm].first, [place(12)]);
}

#[test]
fn shift_moves_every_place() {
    let mut s = Stats::default();
    s.malformed(Malformed::InvalidJson, place(2));
    let mut invalid = InvalidSet::default();
    invalid.insert(Invalid::Time);
    s.outside_window(&Record { invalid, ..Record::default() }, place(3));
    s.shift_lines(100);
    assert_eq!(s.malformed[&Malformed::InvalidJson].first, [place(102)]);
    assert_eq!(s.dropped[&Invalid::Time].first, [place(103)]);
    assert_eq!(s.out_of_range, 1);
}

#[test]
fn a_place_shared_by_records_of_one_line_is_listed_once() {
    let (mut a, mut b) = (Occurrences::default(), Occurrences::default());
    [4, 4, 2].into_iter().for_each(|l| a.add(place(l)));
    [4, 9].into_iter().for_each(|l| b.add(place(l)));
    let mut ab = a.clone();
    ab.merge(b.clone());
    b.merge(a);
    assert_eq!(ab, Occurrences { count: 5, first: [2, 4, 9].map(place).to_vec() });
    assert_eq!(b, ab);
}

#[test]
fn dropped_values_merge_like_malformed_lines() {
    let record = |line: &str| match crate::parse::parse_line(line) {
        crate::parse::Line::Record(r) => r.invalid,
        other => panic!("{other:?}"),
    };
    let bad = record(r#"{"ts":"2026-02-30T00:00:00Z","latency_ms":-1,"status":4290}"#);
    let (mut x, mut y) = (Stats::default(), Stats::default());
    x.note_dropped(bad, place(7));
    y.note_dropped(bad, place(3));
    y.note_dropped(InvalidSet::default(), place(1));
    let mut xy = x.clone();
    xy.merge(y.clone());
    y.merge(x);
    assert_eq!(xy, y);
    let ids: Vec<_> = xy.dropped.keys().map(|r| r.id()).collect();
    assert_eq!(ids, ["invalid_time", "invalid_latency", "invalid_status"]);
    assert_eq!(xy.dropped[&Invalid::Time].first, [place(3), place(7)]);
}

#[test]
fn an_example_is_redacted_before_it_is_cut_and_kept_whole_otherwise() {
    let key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";
    // The key straddles the cut: redacted first, no piece of it is kept.
    let long = format!("{} {key} tail", "x".repeat(MAX_EXAMPLE_BYTES - 11));
    let example = example_message(&long);
    assert!(example.ends_with('…'), "{example}");
    assert!(!example.contains("sk-proj-A"), "{}", &example[MAX_EXAMPLE_BYTES - 20..]);
    // Whole, a message is kept as it is: the output boundary redacts it.
    assert_eq!(example_message("short message"), "short message");
}
