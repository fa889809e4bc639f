//! Fingerprints of findings that survive unrelated edits: for baselines (which findings are
//! new) and SARIF's `partialFingerprints` (which alert is the same as last time).
//!
//! A fingerprint is made of what the finding is about, not where it is: the rule, the text
//! the finding points at and the text of its line, with white space collapsed, and how many
//! findings with the same three come before it in the file. Lines moving, other lines
//! changing and re-indentation leave it alone; editing the finding's own line changes it.

use ropey::Rope;

use super::Reported;

/// The fingerprint of each finding, in order.
pub fn fingerprints(rope: &Rope, findings: &[Reported]) -> Vec<String> {
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let start = finding.range.start.min(rope.len_bytes());
            let end = finding.range.end.clamp(start, rope.len_bytes());
            let line = rope.line(rope.byte_to_line(start));
            let mut hash = Fnv::new();
            hash.write(finding.rule.id.as_bytes());
            hash.write_normalised(rope.byte_slice(start..end).chunks());
            hash.write_normalised(line.chunks());
            let digest = hash.finish();
            let occurrence = seen.entry(digest).or_default();
            *occurrence += 1;
            format!("{digest:016x}:{occurrence}")
        })
        .collect()
}

/// FNV-1a, 64 bits: stable across versions and platforms, which is what a fingerprint needs
/// (the standard library's hashers are not).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn byte(&mut self, byte: u8) {
        self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|byte| self.byte(*byte));
        self.byte(0);
    }

    /// Writes text with every run of white space as one space and none at either end.
    fn write_normalised<'a>(&mut self, chunks: impl Iterator<Item = &'a str>) {
        let mut pending_space = false;
        let mut started = false;
        for byte in chunks.flat_map(str::bytes) {
            if byte.is_ascii_whitespace() {
                pending_space = started;
                continue;
            }
            if pending_space {
                self.byte(b' ');
                pending_space = false;
            }
            self.byte(byte);
            started = true;
        }
        self.byte(0);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_text;
    use crate::model::kind::FileKind;

    fn of(text: &str) -> Vec<String> {
        let report = analyze_text(FileKind::GithubWorkflow, text);
        fingerprints(&Rope::from_str(text), &report.findings)
    }

    const WORKFLOW: &str = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n      - run: echo ${{ github.event.issue.title }}\n";

    #[test]
    fn unrelated_edits_keep_fingerprints_and_twins_differ() {
        let before = of(WORKFLOW);
        assert_eq!(before.len(), 2);
        assert_ne!(before[0], before[1], "identical findings are told apart by their order");
        let moved = WORKFLOW.replace("jobs:\n", "jobs:\n  first:\n    runs-on: y\n    steps: [{run: make}]\n");
        assert_eq!(of(&moved), before);
        let reindented = WORKFLOW.replace("      - run: echo", "      - run:   echo");
        assert_eq!(of(&reindented), before);
        let edited = WORKFLOW.replacen("echo ${{", "printf ${{", 1);
        assert_ne!(of(&edited)[0], before[0]);
    }
}
