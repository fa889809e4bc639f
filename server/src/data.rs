//! Bundled lists of facts: which contexts an attacker controls, advisories, popular actions,
//! GitLab's predefined variables. Each is a TOML file under `server/data/` that names its
//! sources; it is compiled into the binary and parsed once, on first use.

use serde::de::DeserializeOwned;

/// The text of a bundled data file, by its name under `server/data/`.
#[macro_export]
macro_rules! bundled {
    ($name:literal) => {
        ($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/server/data/", $name)))
    };
}

/// Parses a bundled data file. The files are part of the source, and every one is read by the
/// tests, so a malformed one is a bug caught before release, not a user's problem.
pub fn parse<T: DeserializeOwned>((name, text): (&str, &str)) -> T {
    toml::from_str(text).unwrap_or_else(|error| panic!("bundled data file `{name}` is malformed: {error}"))
}
