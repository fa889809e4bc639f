//! The generated workflow the in-process benchmarks (`typing`, `stages`) analyse.

/// A workflow of about `lines` lines: a header and jobs of 20 lines each. Every tenth job
/// checks out and runs a pull request's code and pastes an issue title into a script, so
/// the rules have work to do and there is a realistic number of findings.
pub fn workflow(lines: usize) -> String {
    let mut text = String::from("name: Generated\non:\n  pull_request_target:\n  issues:\njobs:\n");
    let mut job = 0;
    while text.lines().count() < lines {
        let (checkout_ref, title) = if job % 10 == 0 {
            ("${{ github.event.pull_request.head.sha }}", "${{ github.event.issue.title }}")
        } else {
            ("${{ github.sha }}", "${{ github.event.issue.number }}")
        };
        text.push_str(&format!(
            "  job_{job}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: {checkout_ref}\n      - name: Build {job}\n        run: |\n          echo \"building {job}\"\n          echo \"{title}\"\n          make -j2 target_{job}\n          make test\n      - name: Upload\n        uses: actions/upload-artifact@v4\n        with:\n          name: out-{job}\n          path: dist/\n      - run: echo done\n    env:\n      LEVEL: {job}\n"
        ));
        job += 1;
    }
    text
}
