//! Rules as data: the embedded `data/rules.toml` plus any `--rules FILE`,
//! compiled once into a [`RuleSet`]. A literal prefilter ([`literals`]) over
//! the message patterns of all rules and extracts scans each failure's message
//! once, however many rules there are; a rule's own regex runs only when its
//! cheap conditions hold and one of its literals occurred.
//!
//! A rule names a cause (or `@model`, which lets the model catalog decide between
//! typo, retired, no access and fine-tune) and conditions that must all hold:
//! status, type, code, param, provider, a message regex and a context regex. The
//! highest priority matching rule wins; ties go to the rule defined first. Named
//! captures of the winning rule, and of every `[[extract]]` pattern that matches,
//! become the failure's evidence, and so does the rule's `note` (a caution the
//! reports carry with the cause). An `endpoint` regex looks at the record's
//! endpoint (a path, a URL or an operation name): what a status-only failure
//! can still tell (an Azure 404 on a deployment path). A rule marked `status_only` applies only to a
//! failure whose text names no cause (no message, type or code: logs without
//! bodies; or words that only say a request failed, "HTTP 429"). A verdict on
//! such a failure by a rule that reads no text (status, provider, endpoint)
//! gets the evidence `status_only = true`, so reports can say how sure they are.

use std::ops::Range;

use serde::Deserialize;

use super::unwrap::ErrorInfo;
use crate::error::{Error, Result};
use crate::taxonomy::{CauseId, Taxonomy};
use patterns::{Group, Patterns};

mod literals;
mod patterns;

/// The evidence name of a rule's `note`.
pub const NOTE: &str = "note";

/// Where a rule sends a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A fixed cause.
    Cause(CauseId),
    /// The model catalog decides (`@model`).
    Model,
}

/// A status condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPat {
    /// This status.
    Exact(u16),
    /// `4xx`: the hundreds digit.
    Class(u16),
    /// `none`: no status at all.
    Missing,
}

/// A rule's conditions as its file states them (the field values lowercased,
/// the patterns as written), read by the matcher and by renderers that
/// restate the rules in another language (the SQL export). Every condition
/// present must hold; inside one, any value will do.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// HTTP statuses; empty: any.
    pub status: Vec<StatusPat>,
    /// Error types (a trailing `*` matches a prefix).
    pub types: Vec<String>,
    /// Error codes, matched against the code, the inner code and the type.
    pub codes: Vec<String>,
    /// Offending parameters.
    pub params: Vec<String>,
    /// Providers.
    pub providers: Vec<String>,
    /// The message regex.
    pub message: Option<String>,
    /// The regex over the text around the error body.
    pub context: Option<String>,
    /// The regex over the record's endpoint.
    pub endpoint: Option<String>,
    /// Applies only to a failure with no error text.
    pub status_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    extract: Vec<ExtractSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: String,
    #[serde(default)]
    cause: String,
    #[serde(default = "default_priority")]
    priority: i32,
    #[serde(default)]
    status: Vec<StatusSpec>,
    #[serde(default, rename = "type")]
    types: Vec<String>,
    #[serde(default)]
    code: Vec<String>,
    #[serde(default)]
    param: Vec<String>,
    #[serde(default)]
    provider: Vec<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    context: Option<String>,
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    status_only: bool,
    #[serde(default)]
    disable: bool,
    /// The file the rule came from, for error messages.
    #[serde(skip)]
    file: String,
    /// Whether it is one of the embedded rules (checked by a test, not at start).
    #[serde(skip)]
    embedded: bool,
}

fn default_priority() -> i32 {
    50
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum StatusSpec {
    Number(u16),
    Text(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractSpec {
    name: String,
    pattern: String,
    /// The file the pattern came from, for error messages.
    #[serde(skip)]
    file: String,
    /// Whether it is one of the embedded extracts.
    #[serde(skip)]
    embedded: bool,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique name (a `--rules` file overrides a rule of the same name).
    pub name: String,
    /// Where it sends a failure.
    pub target: Target,
    priority: i32,
    when: Conditions,
    message: Option<usize>,
    context: Option<usize>,
    endpoint: Option<usize>,
    /// A caution to carry with the verdict (evidence `note`).
    note: Option<String>,
}

impl Rule {
    /// True when the rule looks at no error text (message, context, type,
    /// code, param): its verdict rests on the status, provider and endpoint.
    fn reads_no_text(&self) -> bool {
        let w = &self.when;
        w.message.is_none()
            && w.context.is_none()
            && w.types.is_empty()
            && w.codes.is_empty()
            && w.params.is_empty()
    }
}

/// All rules, compiled, in the order they are tried.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// The rules' message patterns, then the extract patterns: both read the
    /// message, so one prefilter scan serves them all.
    messages: Group,
    /// Where the extract patterns are in `messages`.
    extracts: Range<usize>,
    contexts: Group,
    endpoints: Group,
}

/// The rule that matched, and the evidence its patterns captured.
#[derive(Debug, Clone)]
pub struct Match<'r> {
    /// The winning rule.
    pub rule: &'r Rule,
    /// Named captures: `(name, value)`, sorted by name, one value per name.
    pub evidence: Vec<(String, String)>,
}

/// The name errors give the embedded rules, in place of a file.
pub(super) const EMBEDDED_NAME: &str = "embedded rules";

/// The embedded rules.
pub const EMBEDDED: &str = include_str!("../../data/rules.toml");

impl RuleSet {
    /// Compiles the embedded rules, then each extra file `(name, text)` on top:
    /// a rule with an existing name replaces it (or removes it with `disable`).
    pub fn compile(taxonomy: &Taxonomy, extra: &[(String, String)]) -> Result<RuleSet> {
        let files = std::iter::once((EMBEDDED_NAME.to_string(), EMBEDDED.to_string()))
            .chain(extra.iter().cloned());
        Self::compile_files(taxonomy, files, 1)
    }

    /// Rules files alone, without the embedded rules (tests of renderers).
    #[cfg(test)]
    pub(crate) fn compile_alone(
        taxonomy: &Taxonomy,
        files: &[(String, String)],
    ) -> Result<RuleSet> {
        Self::compile_files(taxonomy, files.iter().cloned(), 0)
    }

    /// Compiles `files` in order, the first `embedded` of them the embedded
    /// rules (checked by a test instead of at start).
    fn compile_files(
        taxonomy: &Taxonomy,
        files: impl Iterator<Item = (String, String)>,
        embedded: usize,
    ) -> Result<RuleSet> {
        let mut specs: Vec<RuleSpec> = Vec::new();
        let mut extracts: Vec<ExtractSpec> = Vec::new();
        for (index, (file, text)) in files.enumerate() {
            let embedded = index < embedded;
            let parsed: RulesFile = toml::from_str(&text)
                .map_err(|e| Error::Rules { file: file.clone(), message: e.to_string() })?;
            for mut spec in parsed.rule {
                spec.file.clone_from(&file);
                spec.embedded = embedded;
                check_spec(&spec)
                    .map_err(|message| Error::Rules { file: file.clone(), message })?;
                merge_spec(&mut specs, spec);
            }
            extracts.extend(parsed.extract.into_iter().map(|x| ExtractSpec {
                file: file.clone(),
                embedded,
                ..x
            }));
        }
        specs.retain(|s| !s.disable);
        build(taxonomy, specs, extracts)
    }

    /// The first matching rule, with its evidence; `None` when nothing
    /// matched. `endpoint` is the record's.
    pub fn find(
        &self,
        info: &ErrorInfo,
        provider: Option<&str>,
        endpoint: Option<&str>,
    ) -> Option<Match<'_>> {
        let (rule, evidence) = self.judge(info, provider, endpoint);
        rule.map(|rule| Match { rule, evidence })
    }

    /// The first matching rule, if any, and the evidence: with a rule, its
    /// captures, note and the `[[extract]]` patterns'; without, the
    /// `[[extract]]` patterns' alone. `endpoint` is the record's.
    ///
    /// Rules are tried in order; each checks its fields (status, type,
    /// code, ...) first, and runs its regexes only when the prefilter found
    /// one of their literals.
    pub fn judge(
        &self,
        info: &ErrorInfo,
        provider: Option<&str>,
        endpoint: Option<&str>,
    ) -> (Option<&Rule>, Vec<(String, String)>) {
        let message = self.messages.scan(&info.message);
        let context = (!info.context.is_empty()).then(|| self.contexts.scan(&info.context));
        let endpoint = endpoint.map(|e| self.endpoints.scan(e));
        let rule = self.rules.iter().find(|r| {
            // The prefilter's word first: one bit, and most rules stop there.
            r.message.is_none_or(|i| message.candidate(i))
                && r.fields_match(info, provider)
                && r.message.is_none_or(|i| message.matches(i))
                && r.context.is_none_or(|i| context.as_ref().is_some_and(|s| s.matches(i)))
                && r.endpoint.is_none_or(|i| endpoint.as_ref().is_some_and(|s| s.matches(i)))
        });
        let mut evidence = Vec::new();
        if let Some(rule) = rule {
            if let Some(i) = rule.message {
                message.captures_into(i, &mut evidence);
            }
            if let (Some(i), Some(endpoint)) = (rule.endpoint, &endpoint) {
                endpoint.captures_into(i, &mut evidence);
            }
            if let Some(note) = &rule.note {
                evidence.push((NOTE.to_string(), note.clone()));
            }
        }
        for i in self.extracts.clone() {
            message.captures_into(i, &mut evidence);
        }
        if rule.is_some_and(|r| r.reads_no_text() && info.names_no_cause()) {
            evidence.push(("status_only".to_string(), "true".to_string()));
        }
        evidence.sort();
        evidence.dedup_by(|a, b| a.0 == b.0);
        (rule, evidence)
    }

    /// The rules in force, in the order they are tried.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The number of rules in force.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when no rule is in force.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn check_spec(spec: &RuleSpec) -> std::result::Result<(), String> {
    if spec.name.trim().is_empty() {
        return Err("a rule has an empty `name`".to_string());
    }
    if spec.cause.is_empty() && !spec.disable {
        return Err(format!("rule `{}` has no `cause`", spec.name));
    }
    Ok(())
}

fn merge_spec(specs: &mut Vec<RuleSpec>, spec: RuleSpec) {
    match specs.iter_mut().find(|s| s.name == spec.name) {
        Some(slot) => *slot = spec,
        None => specs.push(spec),
    }
}

fn build(taxonomy: &Taxonomy, specs: Vec<RuleSpec>, extracts: Vec<ExtractSpec>) -> Result<RuleSet> {
    let mut messages = Patterns::default();
    let mut contexts = Patterns::default();
    let mut endpoints = Patterns::default();
    let mut rules = Vec::with_capacity(specs.len());
    for spec in specs {
        let owner = format!("rule `{}`", spec.name);
        let err = |message: String| Error::Rules {
            file: spec.file.clone(),
            message: format!("{owner}: {message}"),
        };
        let target = match spec.cause.as_str() {
            "@model" => Target::Model,
            id => Target::Cause(
                taxonomy.find(id).ok_or_else(|| err(format!("unknown cause `{id}`")))?,
            ),
        };
        let status = spec
            .status
            .iter()
            .map(parse_status)
            .collect::<std::result::Result<_, _>>()
            .map_err(err)?;
        let lower = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect();
        rules.push(Rule {
            target,
            priority: spec.priority,
            message: messages.add(&spec.message, &spec.file, &owner, spec.embedded),
            context: contexts.add(&spec.context, &spec.file, &owner, spec.embedded),
            endpoint: endpoints.add(&spec.endpoint, &spec.file, &owner, spec.embedded),
            when: Conditions {
                status,
                types: lower(&spec.types),
                codes: lower(&spec.code),
                params: lower(&spec.param),
                providers: lower(&spec.provider),
                message: spec.message,
                context: spec.context,
                endpoint: spec.endpoint,
                status_only: spec.status_only,
            },
            note: spec.note,
            name: spec.name,
        });
    }
    // Stable sort: equal priorities keep their definition order.
    rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
    let mut extract_patterns = Patterns::default();
    for x in &extracts {
        let owner = format!("extract `{}`", x.name);
        extract_patterns.add(&Some(x.pattern.clone()), &x.file, &owner, x.embedded);
    }
    for group in [&messages, &contexts, &endpoints, &extract_patterns] {
        group.validate()?;
    }
    let rule_messages = messages.texts().count();
    Ok(RuleSet {
        messages: Group::new(messages.texts().chain(extract_patterns.texts())),
        extracts: rule_messages..rule_messages + extract_patterns.texts().count(),
        contexts: Group::new(contexts.texts()),
        endpoints: Group::new(endpoints.texts()),
        rules,
    })
}

fn parse_status(spec: &StatusSpec) -> std::result::Result<StatusPat, String> {
    match spec {
        StatusSpec::Number(n) => Ok(StatusPat::Exact(*n)),
        StatusSpec::Text(t) => {
            let t = t.trim().to_ascii_lowercase();
            if t == "none" {
                return Ok(StatusPat::Missing);
            }
            if let Some(d) = t
                .strip_suffix("xx")
                .and_then(|d| d.parse::<u16>().ok())
                .filter(|d| (1..=9).contains(d))
            {
                return Ok(StatusPat::Class(d));
            }
            t.parse()
                .map(StatusPat::Exact)
                .map_err(|_| format!("bad status `{t}` (use 429, \"5xx\" or \"none\")"))
        }
    }
}

impl Rule {
    /// Its conditions, as its file states them.
    pub fn conditions(&self) -> &Conditions {
        &self.when
    }

    /// Its priority: higher is tried first.
    pub fn priority(&self) -> i32 {
        self.priority
    }

    /// The non-regex conditions.
    fn fields_match(&self, info: &ErrorInfo, provider: Option<&str>) -> bool {
        let any = |wanted: &[String], have: &[Option<&str>]| {
            wanted.is_empty() || have.iter().flatten().any(|h| wanted.iter().any(|w| glob_eq(w, h)))
        };
        let when = &self.when;
        let status_ok = when.status.is_empty()
            || when.status.iter().any(|p| match (p, info.status) {
                (StatusPat::Exact(e), Some(s)) => *e == s,
                (StatusPat::Class(d), Some(s)) => s / 100 == *d,
                (StatusPat::Missing, None) => true,
                _ => false,
            });
        let provider = info.provider.as_deref().or(provider);
        status_ok
            && (!when.status_only || info.names_no_cause())
            && any(&when.types, &[info.etype.as_deref()])
            && any(
                &when.codes,
                &[info.code.as_deref(), info.inner_code.as_deref(), info.etype.as_deref()],
            )
            && any(&when.params, &[info.param.as_deref()])
            && any(&when.providers, &[provider])
    }
}

/// Case-insensitive equality; a trailing `*` in the wanted value matches a prefix.
/// Compared as bytes: the prefix may end inside a character of the value.
fn glob_eq(wanted: &str, have: &str) -> bool {
    match wanted.strip_suffix('*') {
        Some(prefix) => have
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes())),
        None => have.eq_ignore_ascii_case(wanted),
    }
}

#[cfg(test)]
pub(crate) mod tests;
