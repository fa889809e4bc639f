//! Splitting a document into units of analysis and keeping them across edits.
//!
//! A unit is one top-level key, or one job of a GitHub workflow. Its value tree is built once
//! and kept while no edit touches it; edits elsewhere only move its base offset. When the
//! top level is too broken to split, the whole document is one unit.

use std::collections::HashMap;

use ropey::Rope;
use tree_sitter::{Node as TsNode, Tree};

use crate::model::kind::FileKind;
use crate::model::view::AnchorTable;
use crate::syntax::span::{Bases, UnitId};
use crate::syntax::yaml::{self, Built};
use crate::syntax::{ByteEdit, Change};

/// What a unit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A top-level key that is not a job (`on`, `permissions`, GitLab's `variables`...).
    Header,
    /// One job: an entry of GitHub's `jobs:` or a GitLab top-level job.
    Job,
    /// Everything, because the top level could not be split.
    Document,
}

pub struct Unit {
    pub id: UnitId,
    pub role: Role,
    pub built: Built,
    len: usize,
    dirty: bool,
}

/// The units of one document, kept in step with its edits.
#[derive(Default)]
pub struct Units {
    pub bases: Bases,
    units: Vec<Unit>,
    /// The `jobs:` key of a GitHub workflow, absolute.
    pub jobs_key: Option<std::ops::Range<usize>>,
}

impl Units {
    /// Moves or invalidates units for the changes made since the last analysis.
    pub fn apply(&mut self, changes: &[Change]) {
        for change in changes {
            match change {
                Change::Edit(edit) => self.apply_edit(*edit),
                Change::Restructured(ranges) => {
                    for range in ranges {
                        self.mark_dirty(|start, end| range.start <= end && range.end >= start);
                    }
                }
            }
        }
    }

    /// Re-splits the document, reusing every unit that no change touched.
    pub fn refresh(&mut self, kind: FileKind, tree: &Tree, rope: &Rope) {
        let mut reusable: HashMap<(usize, usize, Role), Unit> = HashMap::new();
        for unit in std::mem::take(&mut self.units) {
            let start = self.bases.base(unit.id).unwrap_or(usize::MAX);
            if unit.dirty {
                self.bases.remove(unit.id);
            } else if let Some(stale) = reusable.insert((start, unit.len, unit.role), unit) {
                self.bases.remove(stale.id);
            }
        }
        let (nodes, jobs_key) = split(kind, tree, rope);
        self.jobs_key = jobs_key;
        for (role, node) in nodes {
            let (start, len) = (node.start_byte(), node.end_byte() - node.start_byte());
            let unit = reusable.remove(&(start, len, role)).unwrap_or_else(|| {
                let id = self.bases.allocate(start);
                let built = if node.kind().ends_with("pair") {
                    yaml::build_pair(node, rope, id, start)
                } else {
                    yaml::build(node, rope, id, start)
                };
                Unit {
                    id,
                    role,
                    built,
                    len,
                    dirty: false,
                }
            });
            self.units.push(unit);
        }
        for stale in reusable.into_values() {
            self.bases.remove(stale.id);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter()
    }

    pub fn anchors(&self) -> AnchorTable {
        let mut table = AnchorTable::default();
        for unit in &self.units {
            table.add(&unit.built.anchors);
        }
        table.sort(&self.bases);
        table
    }

    fn apply_edit(&mut self, edit: ByteEdit) {
        for unit in &mut self.units {
            let Some(start) = self.bases.base(unit.id) else {
                continue;
            };
            let end = start + unit.len;
            if edit.old_end < start {
                self.bases
                    .set_base(unit.id, start.saturating_add_signed(edit.delta()));
            } else if edit.start <= end {
                // Touching counts: typing right after a job's last character extends it.
                unit.dirty = true;
            }
        }
    }

    fn mark_dirty(&mut self, touches: impl Fn(usize, usize) -> bool) {
        for unit in &mut self.units {
            if let Some(start) = self.bases.base(unit.id)
                && touches(start, start + unit.len)
            {
                unit.dirty = true;
            }
        }
    }
}

type Split<'t> = (Vec<(Role, TsNode<'t>)>, Option<std::ops::Range<usize>>);

/// The unit nodes of a document, and the `jobs:` key of a workflow.
fn split<'t>(kind: FileKind, tree: &'t Tree, rope: &Rope) -> Split<'t> {
    let Some(content) = yaml::document_content(tree) else {
        return (Vec::new(), None);
    };
    let mut cursor = content.walk();
    let has_broken_entries = content.children(&mut cursor).any(|child| child.is_error());
    if content.kind() != "block_mapping" || has_broken_entries {
        return (vec![(Role::Document, content)], None);
    }
    let mut nodes = Vec::new();
    let mut jobs_key = None;
    for pair in yaml::mapping_pairs(content) {
        let key = yaml::pair_key(pair, rope);
        match (kind, key.as_deref()) {
            (FileKind::GithubWorkflow, Some("jobs")) => {
                jobs_key = pair.child_by_field_name("key").map(|key| key.byte_range());
                match yaml::pair_value(pair).map(yaml::mapping_pairs) {
                    Some(jobs) if is_block_mapping(pair) => {
                        nodes.extend(jobs.into_iter().map(|job| (Role::Job, job)))
                    }
                    _ => nodes.push((Role::Document, pair)),
                }
            }
            (FileKind::GitlabCi, Some(key)) if crate::model::gitlab::is_job_key(key) => {
                nodes.push((Role::Job, pair))
            }
            _ => nodes.push((Role::Header, pair)),
        }
    }
    (nodes, jobs_key)
}

fn is_block_mapping(pair: TsNode) -> bool {
    let Some(value) = yaml::pair_value(pair) else {
        return false;
    };
    let mut cursor = value.walk();
    value.kind() == "block_node"
        && value
            .named_children(&mut cursor)
            .any(|child| child.kind() == "block_mapping")
}
