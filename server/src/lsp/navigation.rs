//! Go to definition and references: from a name to what it names in the same file (a job,
//! a step, a template), to a template of another file of the GitLab pipeline, or from a
//! reference to another file (`uses: ./...`, `include: local:`) to the file, found by the
//! workspace model inside the workspace root.

use ropey::Rope;
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Range, Uri};

use super::convert;
use super::crossfile::OpenCalls;
use super::documents::OpenDocument;
use crate::analysis::{definition_at, references_at, template_key};
use crate::model::links::Target;
use crate::model::references::{ReferenceKind, is_pattern};
use crate::text::Encoding;
use crate::workspace::graph::{Workspace, candidates, is_own};

/// What the name at `offset` names: a place in this file, a template of another file of
/// the pipeline, or the files a reference names.
pub fn definition(
    crossfile: &OpenCalls,
    document: &mut OpenDocument,
    uri: &Uri,
    offset: usize,
    encoding: Encoding,
) -> Option<GotoDefinitionResponse> {
    let links = document.links();
    match definition_at(&links, offset) {
        Some(Target::Here(range)) => {
            let range = convert::range(document.source.rope(), range.clone(), encoding);
            Some(GotoDefinitionResponse::Scalar(Location { uri: uri.clone(), range }))
        }
        Some(Target::Template(name)) => template_elsewhere(crossfile, document, name, encoding),
        None => file_definition(crossfile, document, offset),
    }
}

/// The job or template at `offset` (its key or a name of it), and where it is named in
/// this file.
pub fn references(
    document: &mut OpenDocument,
    uri: &Uri,
    offset: usize,
    encoding: Encoding,
) -> Option<(Location, Vec<Location>)> {
    let named = references_at(&document.links(), offset)?;
    let rope = document.source.rope();
    let location = |range| Location { uri: uri.clone(), range: convert::range(rope, range, encoding) };
    Some((location(named.place), named.names.into_iter().map(location).collect()))
}

/// The key of template `name` in the other files of the document's GitLab pipeline: those
/// it includes, those that include it, and theirs.
fn template_elsewhere(
    crossfile: &OpenCalls,
    document: &OpenDocument,
    name: &str,
    encoding: Encoding,
) -> Option<GotoDefinitionResponse> {
    let file = document.file()?;
    let root = crossfile.root_for(file)?;
    let relative = root.relative(file)?;
    let workspace = Workspace::load(root);
    let index = workspace.index_of(&relative)?;
    workspace.pipeline_of(index).into_iter().find_map(|other| {
        let other = &workspace.files[other];
        let key = template_key(&other.text, name)?;
        let range = convert::range(&Rope::from_str(&other.text), key, encoding);
        Some(GotoDefinitionResponse::Scalar(Location { uri: Uri::from_file_path(&other.path)?, range }))
    })
}

/// The files the reference at `offset` names.
fn file_definition(
    crossfile: &OpenCalls,
    document: &mut OpenDocument,
    offset: usize,
) -> Option<GotoDefinitionResponse> {
    let report = document.report()?;
    let reference =
        report.references.iter().find(|reference| reference.at.start <= offset && offset <= reference.at.end)?;
    let root = crossfile.root_for(document.file()?)?;
    if let ReferenceKind::RepositoryWorkflow { repository } = &reference.kind
        && !is_own(root.github_repository().as_deref(), repository)
    {
        return None;
    }
    let yaml_files = if is_pattern(&reference.target) { root.yaml_files() } else { Vec::new() };
    let mut found = candidates(reference, &yaml_files)
        .into_iter()
        .filter(|(path, _)| root.read(path).is_some())
        .filter_map(|(path, _)| Uri::from_file_path(root.path().join(path)))
        .map(|uri| Location { uri, range: Range::default() });
    // A path names its first candidate (`action.yml` before `action.yaml`); a wildcard, all.
    let locations: Vec<Location> =
        if is_pattern(&reference.target) { found.collect() } else { found.next().into_iter().collect() };
    match locations.len() {
        0 => None,
        1 => locations.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
