//! `classify`: one classified row per failed record (or per record), written
//! in input order by the format's writer as the chunks come back.

use std::collections::BTreeMap;
use std::io::Write;

use crate::analyze::inputs::FileCounts;
use crate::classify::{Classifier, Worker};
use crate::config::Config;
use crate::detect::Reading;
use crate::error::Result;
use crate::input::Chunk;
use crate::parse::Line;
use crate::pipeline::{self, Job};
use crate::progress::Progress;
use crate::redact::Redacted;
use crate::report::records::{self, Classified, RecordFormat};

use super::{Outcome, total_size, warn_inputs};

/// `classify`: the records of every source in input order, written by the
/// format's [`records::RecordWriter`] as the chunks come back.
pub(super) fn classify_records(
    config: &Config,
    classifier: &Classifier,
    all: bool,
    format: RecordFormat,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let names: Vec<Redacted> = config.sources.iter().map(|s| Redacted::text(&s.name())).collect();
    let mut writer = records::writer(format, &names, out)?;
    let job = ClassifyJob { classifier, all };
    let progress = Progress::new(config.progress, total_size(&config.sources));
    let mut counts = vec![FileCounts::default(); config.sources.len()];
    let files = pipeline::drive(
        &config.sources,
        config.plan,
        &job,
        config.input.forced(),
        &progress,
        |file, first_line, (rows, items)| {
            counts[file as usize].merge(items);
            rows.into_iter().try_for_each(|mut row| {
                row.line += first_line;
                writer.write(row)
            })
        },
    )?;
    writer.finish()?;
    warn_inputs(&files, &counts);
    Ok(if files.iter().any(|f| f.error.is_some()) { Outcome::InputError } else { Outcome::Ok })
}

/// Classifies a chunk's failures (or all records) into owned rows.
struct ClassifyJob<'c> {
    classifier: &'c Classifier,
    all: bool,
}

impl Job for ClassifyJob<'_> {
    /// The rows, and what the chunk's items were (for input warnings).
    type Out = (Vec<Classified>, FileCounts);

    fn chunk(&self, file: u32, reading: &Reading<'_>, chunk: Chunk<'_>) -> (u64, Self::Out) {
        let mut rows = Vec::new();
        let mut items = FileCounts::default();
        let mut worker = self.classifier.worker();
        let lines = pipeline::parse_chunk(chunk, reading, |line, parsed, _| {
            items.add_line(&parsed);
            if let Line::Record(record) = parsed {
                if record.is_failure() || self.all {
                    rows.push(self.row(&mut worker, file, line, &record));
                }
            }
        });
        (lines, (rows, items))
    }
}

impl ClassifyJob<'_> {
    /// One record's row: every string from the log redacted here, on the
    /// worker, once for every output format.
    fn row(
        &self,
        worker: &mut Worker<'_>,
        file: u32,
        line: u64,
        record: &crate::parse::Record<'_>,
    ) -> Classified {
        let text = |t: Option<crate::parse::Text<'_>>| t.map(|t| Redacted::text(&t.decode()));
        let mut row = Classified {
            file,
            line,
            request_id: text(record.request_id),
            ts: record.ts,
            key: record.key.map(|k| Redacted::key(&k.decode())),
            org: text(record.org),
            project: text(record.project),
            user: text(record.user),
            provider: text(record.provider),
            endpoint: text(record.endpoint),
            model: text(record.model),
            status: record.status,
            status_inferred: false,
            category: "success",
            group: None,
            owner: None,
            retry: None,
            message: None,
            signature: None,
            evidence: BTreeMap::new(),
        };
        if record.is_failure() {
            self.verdict(worker, record, &mut row);
        }
        row
    }

    /// Fills in a failure's cause, message and evidence.
    fn verdict(
        &self,
        worker: &mut Worker<'_>,
        record: &crate::parse::Record<'_>,
        row: &mut Classified,
    ) {
        let v = worker.classify_record(record);
        let cause = self.classifier.taxonomy().cause(v.cause);
        row.status = v.info.status;
        row.status_inferred = v.info.status_inferred;
        row.category = cause.id.as_str();
        row.group = Some(cause.group());
        row.owner = Some(cause.owner.as_str());
        row.retry = Some(cause.retry.as_str());
        row.message = Some(Redacted::text(&v.info.message));
        row.signature = v.signature.as_deref().map(Redacted::text);
        row.evidence = v.evidence.iter().map(|(k, val)| (k.clone(), Redacted::text(val))).collect();
    }
}
