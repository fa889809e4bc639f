//! End-to-end tests of navigation inside one file: the outline, go to definition from a
//! name to what it names, and the references to a job or template.

mod support;

use serde_json::{Value, json};
use support::{Client, fixture, workflow_uri};

const GITLAB_URI: &str = "file:///work/repo/.gitlab-ci.yml";

/// The 0-based (line, column) of the `nth` (0-based) occurrence of `needle`, plus `within`
/// bytes (all fixtures are ASCII).
fn at(text: &str, needle: &str, nth: usize, within: usize) -> (usize, usize) {
    let (offset, _) = text.match_indices(needle).nth(nth).expect("the fixture holds the needle");
    let offset = offset + within;
    let line = text[..offset].matches('\n').count();
    (line, offset - text[..offset].rfind('\n').map_or(0, |newline| newline + 1))
}

fn request_at(client: &mut Client, method: &str, uri: &str, (line, character): (usize, usize)) -> Value {
    let params = json!({
        "textDocument": { "uri": uri },
        "position": { "line": line, "character": character },
        "context": { "includeDeclaration": false },
    });
    client.request(method, params).unwrap_or_else(|error| panic!("{method} fails: {error}"))
}

/// The (line, character) a range starts at.
fn start(range: &Value) -> (usize, usize) {
    (range["start"]["line"].as_u64().unwrap() as usize, range["start"]["character"].as_u64().unwrap() as usize)
}

fn names(symbols: &Value) -> Vec<&str> {
    symbols.as_array().unwrap().iter().map(|symbol| symbol["name"].as_str().unwrap()).collect()
}

fn opened(uri: &str, text: &str) -> Client {
    let (mut client, initialized) = Client::initialized(&["utf-16"]);
    let capabilities = &initialized["capabilities"];
    assert_eq!(capabilities["documentSymbolProvider"], true, "{capabilities}");
    assert_eq!(capabilities["referencesProvider"], true, "{capabilities}");
    client.open(uri, text);
    client.diagnostics(uri);
    client
}

#[test]
fn the_outline_of_a_workflow_shows_triggers_jobs_and_steps_where_they_are() {
    let uri = workflow_uri("navigation.yml");
    let text = fixture("lsp/navigation.yml");
    let mut client = opened(&uri, &text);
    let symbols = client
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
        .expect("documentSymbol succeeds");
    assert_eq!(names(&symbols), ["on", "permissions", "env", "jobs"]);
    assert_eq!(names(&symbols[0]["children"]), ["push", "workflow_dispatch"]);
    let jobs = &symbols[3];
    assert_eq!(names(&jobs["children"]), ["build", "test", "publish"]);
    assert_eq!(start(&jobs["selectionRange"]), at(&text, "jobs:", 0, 0));
    let last_step = at(&text, "make publish", 0, 0).0 as u64;
    assert!(jobs["range"]["end"]["line"].as_u64().unwrap() >= last_step, "`jobs` covers its last job: {jobs}");
    let build = &jobs["children"][0];
    assert_eq!(build["kind"], 12, "a job is a function");
    assert_eq!(start(&build["selectionRange"]), at(&text, "build:", 0, 0));
    assert_eq!(names(&build["children"]), ["actions/checkout@v4", "Read the version", "make build"]);
    let read = &build["children"][1];
    assert_eq!(start(&read["range"]), at(&text, "name: Read the version", 0, 0));
    assert_eq!(read["range"]["end"]["line"], at(&text, "run: echo \"version", 0, 0).0 as u64);
    assert_eq!(start(&read["selectionRange"]), at(&text, "Read the version", 0, 0));
    client.shutdown();
}

#[test]
fn the_outline_of_a_pipeline_shows_jobs_templates_and_sections() {
    let text = fixture("lsp/navigation.gitlab-ci.yml");
    let mut client = opened(GITLAB_URI, &text);
    let symbols = client
        .request("textDocument/documentSymbol", json!({ "textDocument": { "uri": GITLAB_URI } }))
        .expect("documentSymbol succeeds");
    assert_eq!(names(&symbols), ["stages", "variables", ".base", ".notify", "build", "deploy"]);
    assert_eq!(symbols[2]["kind"], 5, "a template is a class");
    assert_eq!(start(&symbols[5]["selectionRange"]), at(&text, "deploy:", 0, 0));
    client.shutdown();
}

#[test]
fn definition_on_needs_and_expressions_lands_on_the_job_or_step() {
    let uri = workflow_uri("navigation.yml");
    let text = fixture("lsp/navigation.yml");
    let mut client = opened(&uri, &text);
    let build_key = at(&text, "build:", 0, 0);
    for from in [at(&text, "needs: build", 0, 8), at(&text, "[build, test]", 0, 2), at(&text, "needs.build", 0, 7)] {
        let found = request_at(&mut client, "textDocument/definition", &uri, from);
        assert_eq!(found["uri"], uri.as_str());
        assert_eq!(start(&found["range"]), build_key, "from {from:?}");
    }
    let test = request_at(&mut client, "textDocument/definition", &uri, at(&text, "[build, test]", 0, 9));
    assert_eq!(start(&test["range"]), at(&text, "test:", 0, 0));
    let step = request_at(&mut client, "textDocument/definition", &uri, at(&text, "steps.meta", 0, 7));
    assert_eq!(start(&step["range"]), at(&text, "id: meta", 0, 4), "a step is named by its id");
    let plain = request_at(&mut client, "textDocument/definition", &uri, at(&text, "make package", 0, 2));
    assert_eq!(plain, Value::Null);
    client.shutdown();
}

#[test]
fn references_on_a_job_key_list_its_needs_and_expressions() {
    let uri = workflow_uri("navigation.yml");
    let text = fixture("lsp/navigation.yml");
    let mut client = opened(&uri, &text);
    let found = request_at(&mut client, "textDocument/references", &uri, at(&text, "build:", 0, 2));
    let mut starts: Vec<(usize, usize)> = found.as_array().unwrap().iter().map(|l| start(&l["range"])).collect();
    starts.sort();
    let expected = [
        at(&text, "needs: build", 0, 7),
        at(&text, "needs.build", 0, 0),
        at(&text, "[build, test]", 0, 1),
        at(&text, "needs.build", 1, 0),
    ];
    assert_eq!(starts, expected);
    client.shutdown();
}

#[test]
fn definition_on_gitlab_extends_needs_and_references_lands_on_the_template_or_job() {
    let text = fixture("lsp/navigation.gitlab-ci.yml");
    let mut client = opened(GITLAB_URI, &text);
    let base = at(&text, ".base:", 0, 0);
    for from in
        [at(&text, "extends: .base", 0, 10), at(&text, "[.base, .notify]", 0, 3), at(&text, "[.base, script]", 0, 2)]
    {
        let found = request_at(&mut client, "textDocument/definition", GITLAB_URI, from);
        assert_eq!(start(&found["range"]), base, "from {from:?}");
    }
    let notify = request_at(&mut client, "textDocument/definition", GITLAB_URI, at(&text, ".notify]", 0, 2));
    assert_eq!(start(&notify["range"]), at(&text, ".notify:", 0, 0));
    let script = request_at(&mut client, "textDocument/definition", GITLAB_URI, at(&text, "script]", 0, 2));
    assert_eq!(start(&script["range"]), at(&text, "script:", 0, 0), "the key inside the template");
    let build = request_at(&mut client, "textDocument/definition", GITLAB_URI, at(&text, "job: build", 0, 6));
    assert_eq!(start(&build["range"]), at(&text, "build:", 0, 0));
    let uses = request_at(&mut client, "textDocument/references", GITLAB_URI, base);
    assert_eq!(uses.as_array().unwrap().len(), 3, "two `extends:` and one `!reference`: {uses}");
    client.shutdown();
}
