//! Running rules with panics contained: a rule that panics loses its own findings for that
//! unit, and every other rule's findings are still reported.

use std::cell::RefCell;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use super::report::RuleFailure;
use crate::rules::{Finding, Findings, Rule};

/// What the rules found in one place (a job), and which of them failed there.
#[derive(Clone, Copy)]
pub struct Found<'a> {
    pub findings: &'a [Finding],
    pub failures: &'a [RuleFailure],
}

pub struct RuleRunner {
    rules: &'static [&'static dyn Rule],
    failures: Vec<RuleFailure>,
    /// The texts of the findings made so far (messages, fix titles, edits), so that findings
    /// that say the same share one copy: one context injected in many jobs makes as many
    /// findings alike, and a file's findings are all held until its report is made.
    texts: RefCell<HashSet<Arc<str>>>,
}

impl RuleRunner {
    pub fn new(rules: &'static [&'static dyn Rule]) -> Self {
        Self { rules, failures: Vec::new(), texts: RefCell::default() }
    }

    /// Runs `check` for every rule, recording failures in this runner.
    pub fn run(&mut self, check: impl Fn(&dyn Rule, &mut Findings)) -> Vec<Finding> {
        let (findings, failures) = self.isolated(None, check);
        self.failures.extend(failures);
        findings
    }

    /// Runs `check` for every rule and returns the failures with the findings, for results
    /// that are cached with their failures. A rule that does not read the call gives what it
    /// gave `earlier` (made under another call, when one is given) instead of running again.
    pub fn isolated(
        &self,
        earlier: Option<Found<'_>>,
        check: impl Fn(&dyn Rule, &mut Findings),
    ) -> (Vec<Finding>, Vec<RuleFailure>) {
        let mut findings = Vec::new();
        let mut failures = Vec::new();
        for rule in self.rules {
            let meta = rule.meta();
            if let Some(earlier) = earlier.filter(|_| !rule.reads_the_call()) {
                findings.extend(earlier.findings.iter().filter(|finding| finding.rule == meta).cloned());
                failures.extend(earlier.failures.iter().filter(|failure| failure.rule == meta.id).cloned());
                continue;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let mut out = Findings::new(meta);
                check(*rule, &mut out);
                out.into_vec()
            }));
            match outcome {
                Ok(found) => findings.extend(found),
                Err(payload) => failures.push(RuleFailure { rule: meta.id, message: panic_message(payload.as_ref()) }),
            }
        }
        // Kept with the job they were found in until it changes: no spare room.
        findings.shrink_to_fit();
        self.share_texts(&mut findings);
        (findings, failures)
    }

    /// Points each text of `findings` at the copy an earlier finding holds, if any.
    fn share_texts(&self, findings: &mut [Finding]) {
        let mut known = self.texts.borrow_mut();
        let mut share = |text: &mut Arc<str>| match known.get(&**text) {
            Some(copy) => *text = Arc::clone(copy),
            None => {
                known.insert(Arc::clone(text));
            }
        };
        for finding in findings {
            share(&mut finding.message);
            for fix in &mut finding.fixes {
                share(&mut fix.title);
                fix.edits.iter_mut().for_each(|edit| share(&mut edit.replacement));
            }
        }
    }

    pub fn record_failures(&mut self, failures: &[RuleFailure]) {
        self.failures.extend(failures.iter().cloned());
    }

    pub fn into_failures(mut self) -> Vec<RuleFailure> {
        self.failures.sort_by(|a, b| (a.rule, &a.message).cmp(&(b.rule, &b.message)));
        self.failures.dedup_by(|a, b| a.rule == b.rule);
        self.failures
    }
}

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
