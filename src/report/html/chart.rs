//! The HTML report's inline SVG charts: the error rate over time stacked by
//! cause group, with provider incidents shaded and quota run-outs marked; one
//! sparkline per cause; horizontal bars for the largest counts (HTML boxes).
//! Every SVG has a `viewBox` and scales to its container's width (CSS
//! `width:100%`), so it fits a phone without scrolling.

use std::fmt::Write as _;

use super::esc;
use crate::parse::time::parse_rfc3339;
use crate::report::model::{Report, TimelineRow};
use crate::report::tables;

/// Cause groups and their colours (also the chart legend's order); each
/// reads on a light and a dark background.
const GROUPS: [(&str, &str); 11] = [
    ("auth", "#d62728"),
    ("permission", "#e377c2"),
    ("quota", "#a0522d"),
    ("rate_limit", "#ff7f0e"),
    ("model", "#bcbd22"),
    ("request", "#9467bd"),
    ("safety", "#8c8c8c"),
    ("server", "#1f77b4"),
    ("network", "#17becf"),
    ("gateway", "#2ca02c"),
    ("unclassified", "#6b6b6b"),
];

/// The timeline's drawing area: width, plot height, left pad, top margin.
const W: f64 = 800.0;
const HT: f64 = 220.0;
const PAD: f64 = 56.0;
const TOP: f64 = 22.0;

/// Marks closer than this share one label.
const LABEL_GAP: f64 = 160.0;

/// The most points a sparkline draws (buckets are summed down to this).
const SPARK_POINTS: usize = 60;

/// The colour of a cause id's group.
pub fn colour(id: &str) -> &'static str {
    let group = group_of(id);
    GROUPS.iter().find(|g| g.0 == group).map_or("#6b6b6b", |g| g.1)
}

/// Maps a time to the chart's x: the buckets' first start, their width and
/// the width of one bucket on the chart.
struct XScale {
    start: i64,
    bucket_ms: i64,
    step: f64,
}

impl XScale {
    fn new(r: &Report) -> Option<XScale> {
        let buckets = &r.timeline.buckets;
        let start = parse_rfc3339(buckets.first()?.start.as_bytes())?;
        let minutes = crate::analyze::BUCKETS.iter().find(|b| b.1 == r.timeline.every)?.0;
        Some(XScale { start, bucket_ms: minutes * 60_000, step: (W - PAD) / buckets.len() as f64 })
    }

    /// The x of a time, clamped to the chart.
    fn x(&self, ts: &str) -> Option<f64> {
        let t = parse_rfc3339(ts.as_bytes())?;
        let x = PAD + (t - self.start) as f64 / self.bucket_ms as f64 * self.step;
        Some(x.clamp(PAD, W))
    }
}

/// Error rate per bucket, stacked by cause group (share of the bucket's
/// requests), with incidents and quota run-outs over it, and its legend.
pub fn timeline(r: &Report, h: &mut String) {
    let buckets = &r.timeline.buckets;
    if buckets.is_empty() || r.summary.failures == 0 {
        return;
    }
    let peak = buckets.iter().map(|b| b.error_rate).fold(0.0_f64, f64::max).max(0.01);
    let step = (W - PAD) / buckets.len() as f64;
    let _ = write!(
        h,
        "<section id=\"timeline\"><h2>Error rate over time <small>({} buckets)</small></h2><figure class=\"chart\"><svg viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"error rate over time by root cause\">",
        esc(&r.timeline.every),
        TOP + HT + 30.0
    );
    grid(peak, h);
    if let Some(scale) = XScale::new(r) {
        incidents(r, &scale, h);
    }
    for (i, b) in buckets.iter().enumerate() {
        stacked_bar(b, PAD + i as f64 * step, step, peak, h);
    }
    if let Some(scale) = XScale::new(r) {
        quota_marks(r, &scale, h);
    }
    axis_labels(r, h);
    h.push_str("</svg></figure>\n");
    legend(r, h);
    marks_note(r, h);
    h.push_str("</section>\n");
}

/// Horizontal lines at 0, half and the peak, labelled.
fn grid(peak: f64, h: &mut String) {
    for frac in [0.0, 0.5, 1.0] {
        let y = TOP + HT - frac * HT;
        let _ = write!(
            h,
            "<line class=\"grid\" x1=\"{PAD}\" x2=\"{W}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text x=\"0\" y=\"{:.1}\" class=\"tick\">{}</text>",
            y + 3.0,
            tables::percent(peak * frac)
        );
    }
}

/// The first and last bucket's start under the chart.
fn axis_labels(r: &Report, h: &mut String) {
    let buckets = &r.timeline.buckets;
    let first = buckets.first().map_or(String::new(), |b| clock(&b.start));
    let last = buckets.last().map_or(String::new(), |b| clock(&b.start));
    let y = TOP + HT + 22.0;
    let _ = write!(
        h,
        "<text x=\"{PAD}\" y=\"{y}\" class=\"tick\">{}</text><text x=\"{W}\" y=\"{y}\" class=\"tick\" text-anchor=\"end\">{}</text>",
        esc(&first),
        esc(&last)
    );
}

/// Provider incidents (their rows' start to end), shaded behind the bars.
fn incidents(r: &Report, scale: &XScale, h: &mut String) {
    let rows = r.findings.iter().filter(|f| f.kind == "provider_incident").flat_map(|f| &f.rows);
    let mut spans = Vec::new();
    for row in rows {
        let (Some(a), Some(b)) = (row.start.as_deref(), row.end.as_deref()) else { continue };
        let (Some(x1), Some(x2)) = (scale.x(a), scale.x(b)) else { continue };
        let width = (x2 - x1).max(scale.step.min(4.0));
        let _ = write!(
            h,
            "<rect class=\"incident\" x=\"{x1:.1}\" y=\"{TOP}\" width=\"{width:.1}\" height=\"{HT}\"><title>provider incident {}: {} failures</title></rect>",
            esc(&row.subject),
            tables::thousands(row.failures),
        );
        spans.push((x1, "incident".to_string()));
    }
    labels(&spans, TOP - 6.0, h);
}

/// Quota run-outs (their rows' start): a dashed line each.
fn quota_marks(r: &Report, scale: &XScale, h: &mut String) {
    let rows = r.findings.iter().filter(|f| f.kind == "quota_ran_out").flat_map(|f| &f.rows);
    let mut marks = Vec::new();
    for row in rows {
        let Some(x) = row.start.as_deref().and_then(|s| scale.x(s)) else { continue };
        let _ = write!(
            h,
            "<line class=\"quota\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{}\"><title>quota ran out: {} {} ({})</title></line>",
            TOP + HT,
            esc(&row.what),
            esc(&row.subject),
            esc(row.start.as_deref().unwrap_or_default())
        );
        marks.push((x, format!("quota out: {}", tables::clip(&row.subject, 24))));
    }
    labels(&marks, TOP + 12.0, h);
}

/// Labels for marks at their x, one per cluster of marks closer than
/// [`LABEL_GAP`] (`quota out: a +2 more`); near the right edge they end at x.
fn labels(marks: &[(f64, String)], y: f64, h: &mut String) {
    let mut sorted: Vec<&(f64, String)> = marks.iter().collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut i = 0;
    while let Some((x, text)) = sorted.get(i) {
        let n = sorted[i..].iter().take_while(|m| m.0 - x < LABEL_GAP).count();
        let more = if n > 1 { format!(" +{} more", n - 1) } else { String::new() };
        let (anchor, at) = if *x > W * 0.7 { ("end", x - 3.0) } else { ("start", x + 3.0) };
        let _ = write!(
            h,
            "<text class=\"mark-label\" x=\"{at:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}{more}</text>",
            esc(text)
        );
        i += n;
    }
}

/// One bucket's bar, a segment per cause group.
fn stacked_bar(b: &TimelineRow, x: f64, step: f64, peak: f64, h: &mut String) {
    let mut y = TOP + HT;
    for (group, c) in GROUPS {
        let n: u64 = b.causes.iter().filter(|(id, _)| group_of(id) == group).map(|(_, n)| n).sum();
        if n == 0 || b.requests == 0 {
            continue;
        }
        let height = n as f64 / b.requests as f64 / peak * HT;
        y -= height;
        let _ = write!(
            h,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{c}\"><title>{} {group}: {n} of {}</title></rect>",
            (step * 0.9).max(0.5),
            esc(&b.start),
            tables::thousands(b.requests)
        );
    }
}

/// A cause id's group as the chart knows it (`unclassified` otherwise).
fn group_of(id: &str) -> &str {
    let group = id.split('.').next().unwrap_or(id);
    GROUPS.iter().find(|g| g.0 == group).map_or("unclassified", |g| g.0)
}

/// The groups that have failures, with their colours, and the marks drawn.
fn legend(r: &Report, h: &mut String) {
    h.push_str("<p class=\"legend\">");
    for (group, c) in GROUPS {
        if r.causes.iter().any(|cause| group_of(&cause.category) == group) {
            let _ = write!(h, "<span><i style=\"background:{c}\"></i>{group}</span>");
        }
    }
    if r.findings.iter().any(|f| f.kind == "provider_incident") {
        h.push_str("<span><i class=\"incident-key\"></i>provider incident</span>");
    }
    if r.findings.iter().any(|f| f.kind == "quota_ran_out") {
        h.push_str("<span><i class=\"quota-key\"></i>quota ran out</span>");
    }
    h.push_str("</p>\n");
}

/// The marks in words under the chart (on a phone the chart's labels are
/// hidden): `provider incident 2026-11-21 12:35 → 13:15 · quota ran out: proj_batch 16:19`.
fn marks_note(r: &Report, h: &mut String) {
    let mut parts = Vec::new();
    for f in r.findings.iter().filter(|f| f.kind == "provider_incident") {
        for row in &f.rows {
            let when = match (&row.start, &row.end) {
                (Some(a), Some(b)) => format!("{} → {}", clock(a), clock(b)),
                _ => row.subject.clone(),
            };
            parts.push(format!("provider incident {when}"));
        }
    }
    let quota: Vec<String> = r
        .findings
        .iter()
        .filter(|f| f.kind == "quota_ran_out")
        .flat_map(|f| &f.rows)
        .map(|row| format!("{} {}", row.subject, row.start.as_deref().map_or(String::new(), clock)))
        .collect();
    if !quota.is_empty() {
        parts.push(format!("quota ran out: {}", quota.join(", ")));
    }
    if !parts.is_empty() {
        let _ = writeln!(h, "<p class=\"muted small\">Marked: {}</p>", esc(&parts.join(" · ")));
    }
}

/// `2026-11-21T08:16:00.123Z` -> `2026-11-21 08:16`.
fn clock(ts: &str) -> String {
    ts.get(..16).unwrap_or(ts).replacen('T', " ", 1)
}

/// One cause's failures over the timeline's buckets, as a small area chart.
pub fn sparkline(r: &Report, category: &str, h: &mut String) {
    let counts: Vec<u64> =
        r.timeline.buckets.iter().map(|b| b.causes.get(category).copied().unwrap_or(0)).collect();
    let points = downsample(&counts, SPARK_POINTS);
    let Some(&max) = points.iter().max().filter(|m| **m > 0) else { return };
    let (w, ht) = (120.0, 28.0);
    let dx = if points.len() > 1 { w / (points.len() - 1) as f64 } else { w };
    let mut path = format!("M0 {ht}");
    for (i, n) in points.iter().enumerate() {
        let _ =
            write!(path, " L{:.1} {:.1}", i as f64 * dx, ht - *n as f64 / max as f64 * (ht - 2.0));
    }
    let _ = write!(path, " L{w} {ht} Z");
    let _ = write!(
        h,
        "<svg class=\"spark\" viewBox=\"0 0 {w} {ht}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{} over time, peak {} per bucket\"><path d=\"{path}\" fill=\"{c}\" fill-opacity=\"0.35\" stroke=\"{c}\" stroke-width=\"1.2\" vector-effect=\"non-scaling-stroke\"/></svg>",
        esc(category),
        tables::thousands(max),
        c = colour(category)
    );
}

/// `counts` summed into at most `n` consecutive groups.
fn downsample(counts: &[u64], n: usize) -> Vec<u64> {
    let per = counts.len().div_ceil(n.max(1)).max(1);
    counts.chunks(per).map(|c| c.iter().sum()).collect()
}

/// Horizontal bars for the largest counts (the first ten), drawn with HTML
/// boxes rather than SVG so the names stay readable at any width.
pub fn bars(title: &str, items: &[(&str, u64)], h: &mut String) {
    let mut items: Vec<&(&str, u64)> = items.iter().filter(|i| i.1 > 0).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    items.truncate(10);
    let Some(max) = items.first().map(|i| i.1) else { return };
    let _ = write!(
        h,
        "<figure class=\"chart bars\" role=\"img\" aria-label=\"{t}\"><figcaption>{t}</figcaption>",
        t = esc(title)
    );
    for (name, n) in items {
        let _ = write!(
            h,
            "<div class=\"hbar\"><span class=\"name\" title=\"{name}\">{name}</span><span class=\"track\"><i style=\"width:{:.1}%\"></i></span><span class=\"n\">{}</span></div>",
            *n as f64 / max as f64 * 100.0,
            tables::thousands(*n),
            name = esc(&tables::clip(name, 60)),
        );
    }
    h.push_str("</figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_sum_buckets_down() {
        assert_eq!(downsample(&[1, 2, 3, 4, 5], 2), vec![6, 9]);
        assert_eq!(downsample(&[1, 2], 60), vec![1, 2]);
        assert!(downsample(&[], 60).is_empty());
    }

    #[test]
    fn marks_read_as_dates_and_minutes() {
        assert_eq!(clock("2026-11-21T08:16:00.123Z"), "2026-11-21 08:16");
        assert_eq!(clock("short"), "short");
    }

    #[test]
    fn groups_fall_back_to_unclassified() {
        assert_eq!(group_of("quota.exhausted"), "quota");
        assert_eq!(group_of("custom.thing"), "unclassified");
        assert_eq!(colour("custom.thing"), colour("unclassified"));
    }
}
