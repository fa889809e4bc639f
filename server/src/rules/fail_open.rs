//! How a security check that is allowed to fail is reported, shared by
//! `continue-on-error-security` and `gitlab-allow-failure-security` so that they calibrate
//! alike: a scan that fails open is low, a verification that fails open is medium.

use super::{Applicability, Findings, Fix, Severity, fix};
use crate::model::Setting;
use crate::model::scanners::{Check, CheckKind};

/// Reports the setting `key: true` (`continue-on-error`, `allow_failure`) letting `owner` (this
/// step, job `x`) pass when `check` fails, with a fix that removes the setting.
pub fn report(setting: &Setting, key: &str, check: &Check, owner: &str, out: &mut Findings) {
    let (consequence, severity) = match check.kind {
        CheckKind::Scan => ("what it finds, and its own breakage, go unnoticed", Severity::Low),
        CheckKind::Verify => ("a download that fails verification is used anyway", Severity::Medium),
    };
    let finding = out
        .report(setting.value.span, format!("`{key}: true` lets {owner} pass when {} fails: {consequence}", check.what))
        .with_severity(severity);
    if setting.removable {
        finding.with_fix(Fix {
            title: format!("Remove `{key}`"),
            applicability: Applicability::Unsafe,
            edits: vec![fix::remove_entry(setting.entry)],
        });
    }
}
