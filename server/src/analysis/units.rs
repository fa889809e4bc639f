//! The units of analysis are the source's tiles: one top-level key, or one job of a
//! workflow. A tile's value tree is built once and kept while the tile is unchanged.

use std::collections::HashSet;
use std::sync::Arc;

use ropey::Rope;

use crate::model::view::AnchorTable;
use crate::syntax::Tile;
use crate::syntax::span::{Bases, Span, UnitId, UnitMap};
use crate::syntax::yaml::{self, Built, Node, Value};

/// What a unit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A top-level key (or, when the file is broken, whatever the tile holds).
    TopLevel,
    /// One entry of the nested block: a job under `jobs:`.
    Job,
}

impl Role {
    fn of(tile: &Tile) -> Self {
        if tile.is_nested() { Role::Job } else { Role::TopLevel }
    }
}

pub struct Unit {
    pub id: UnitId,
    pub role: Role,
    pub built: Arc<Built>,
}

impl Unit {
    /// The unit of a parsed tile, its value tree built from the tile's tree.
    pub fn build(tile: &Tile, rope: &Rope) -> Self {
        Unit { id: tile.id, role: Role::of(tile), built: Arc::new(build_tile(tile, rope)) }
    }

    /// The unit with its value tree let go once read, but for its anchors, which aliases in
    /// other units still read.
    pub fn anchors_only(self) -> Self {
        let anchors = self.built.anchors.clone();
        Unit { built: Arc::new(Built { node: empty_node(self.id), anchors }), ..self }
    }
}

/// The value trees of a document's tiles, kept across analyses.
#[derive(Default)]
pub struct Units {
    pub bases: Bases,
    units: Vec<Unit>,
    built: UnitMap<Arc<Built>>,
    /// The names of the anchors in units built since the jobs were last modelled: aliases of
    /// those names may resolve elsewhere than they did.
    fresh_anchor_names: HashSet<Box<str>>,
}

impl Units {
    /// Whether the value tree of tile `id` is kept from the last analysis.
    pub fn has(&self, id: UnitId) -> bool {
        self.built.contains_key(&id)
    }

    /// Takes the current tiles: for each, its unit built just now (in `fresh`), or the one
    /// kept from the last analysis, or else one built from its tree.
    pub fn refresh(&mut self, tiles: &[Tile], rope: &Rope, bases: Bases, mut fresh: UnitMap<Unit>) {
        let built = &mut self.built;
        let fresh_anchor_names = &mut self.fresh_anchor_names;
        let units = tiles
            .iter()
            .map(|tile| match built.remove(&tile.id) {
                Some(built) => Unit { id: tile.id, role: Role::of(tile), built },
                None => {
                    let unit = fresh.remove(&tile.id).unwrap_or_else(|| Unit::build(tile, rope));
                    fresh_anchor_names.extend(unit.built.anchors.iter().map(|anchor| anchor.name.clone()));
                    unit
                }
            })
            .collect();
        self.replace(units, bases);
    }

    /// Takes units already built, one per current tile, in order, each of them new.
    pub fn set(&mut self, units: Vec<Unit>, bases: Bases) {
        let anchors = units.iter().flat_map(|unit| &unit.built.anchors);
        self.fresh_anchor_names.extend(anchors.map(|anchor| anchor.name.clone()));
        self.replace(units, bases);
    }

    fn replace(&mut self, units: Vec<Unit>, bases: Bases) {
        self.built = units.iter().map(|unit| (unit.id, Arc::clone(&unit.built))).collect();
        self.units = units;
        self.bases = bases;
    }

    /// Whether an anchor named `name` is in a unit built since the jobs were last modelled.
    pub fn has_fresh_anchor(&self, name: &str) -> bool {
        self.fresh_anchor_names.contains(name)
    }

    /// The jobs are modelled again: the anchors built so far are no longer news to them.
    pub fn jobs_modelled(&mut self) {
        self.fresh_anchor_names.clear();
    }

    /// Lets the value trees go, keeping where the units start.
    pub fn drop_values(&mut self) {
        self.units = Vec::new();
        self.built = UnitMap::default();
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
}

fn build_tile(tile: &Tile, rope: &Rope) -> Built {
    debug_assert!(tile.model_tree().is_some(), "units are built from parsed tiles");
    match tile.model_tree().and_then(yaml::document_content) {
        Some(content) => yaml::build(content, rope, tile.id, tile.start),
        None => Built { node: empty_node(tile.id), anchors: Vec::new() },
    }
}

/// A value tree of nothing: the unit's text holds no value.
fn empty_node(unit: UnitId) -> Arc<Node> {
    Arc::new(Node { span: Span::new(unit, 0, 0), column: 0, anchor: None, tag: None, value: Value::Null })
}
