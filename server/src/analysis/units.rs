//! The units of analysis are the source's tiles: one top-level key, or one job of a
//! workflow. A tile's value tree is built once and kept while the tile is unchanged.

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;

use crate::model::view::AnchorTable;
use crate::syntax::Tile;
use crate::syntax::span::{Bases, UnitId};
use crate::syntax::yaml::{self, Built, Node, Value};

/// What a unit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A top-level key (or, when the file is broken, whatever the tile holds).
    TopLevel,
    /// One entry of the nested block: a job under `jobs:`.
    Job,
}

pub struct Unit {
    pub id: UnitId,
    pub role: Role,
    pub built: Arc<Built>,
}

/// The value trees of a document's tiles, kept across analyses.
#[derive(Default)]
pub struct Units {
    pub bases: Bases,
    units: Vec<Unit>,
    built: HashMap<UnitId, Arc<Built>>,
}

impl Units {
    /// Takes the current tiles, building value trees only for tiles that changed.
    pub fn refresh(&mut self, tiles: &[Tile], rope: &Rope, bases: Bases) {
        let mut built = HashMap::with_capacity(tiles.len());
        self.units = tiles
            .iter()
            .map(|tile| {
                let tree = self.built.remove(&tile.id).unwrap_or_else(|| Arc::new(build_tile(tile, rope)));
                built.insert(tile.id, Arc::clone(&tree));
                Unit { id: tile.id, role: if tile.is_nested() { Role::Job } else { Role::TopLevel }, built: tree }
            })
            .collect();
        self.built = built;
        self.bases = bases;
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
    match yaml::document_content(tile.model_tree()) {
        Some(content) => yaml::build(content, rope, tile.id, tile.start),
        None => Built {
            node: Arc::new(Node {
                span: crate::syntax::span::Span::new(tile.id, 0, 0),
                column: 0,
                anchor: None,
                tag: None,
                value: Value::Null,
            }),
            anchors: Vec::new(),
        },
    }
}
