//! The plan for one host: which probes its selected checks need, each once,
//! with parameters quoted into the code.

use super::check::{Check, Params, ProbeDef};
use super::error::InputError;
use super::Catalog;
use crate::probe::{quote, ScriptProbe};
use regex::Regex;
use std::sync::OnceLock;

fn placeholder() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}").expect("valid regex"))
}

/// Names of the parameters a probe's code uses.
pub fn probe_params(code: &str) -> Vec<String> {
    placeholder()
        .captures_iter(code)
        .map(|c| c[1].to_string())
        .collect()
}

/// Replace each `{{name}}` with the parameter's value as shell words: a
/// string or number becomes one quoted word, a list one quoted word per item.
pub fn substitute(probe: &ProbeDef, params: &Params) -> Result<String, InputError> {
    let mut missing = None;
    let code = placeholder().replace_all(&probe.code, |c: &regex::Captures<'_>| {
        let name = &c[1];
        match params.get(name) {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|v| quote(&scalar(v)))
                .collect::<Vec<_>>()
                .join(" "),
            Some(serde_json::Value::Null) | None => {
                missing = Some(name.to_string());
                String::new()
            }
            Some(v) => quote(&scalar(v)),
        }
    });
    if let Some(name) = missing {
        return Err(InputError::new(
            probe.source.clone(),
            format!(
                "probe {:?} uses parameter {name:?}, which no profile, inventory or host sets",
                probe.id
            ),
        )
        .hint(format!(
            "add `{name}:` under `params:` in the profile or `vars:` in the inventory"
        )));
    }
    Ok(code.into_owned())
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The deduplicated probes for `checks`, in first-use order.
pub fn script_probes(
    catalog: &Catalog,
    checks: &[Check],
    params: &Params,
) -> Result<Vec<ScriptProbe>, InputError> {
    let mut out: Vec<ScriptProbe> = Vec::new();
    for c in checks {
        for id in &c.probes {
            if out.iter().any(|p| &p.id == id) {
                continue;
            }
            let Some(def) = catalog.probes.get(id) else {
                continue; // the catalog already rejected checks with unknown probes
            };
            out.push(ScriptProbe {
                id: def.id.clone(),
                code: substitute(def, params)?,
                needs_root: def.needs_root,
                timeout_secs: def.timeout,
                max_bytes: def.max_bytes,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::error::SourceLoc;

    fn def(code: &str) -> ProbeDef {
        ProbeDef {
            id: "p".into(),
            description: String::new(),
            code: code.into(),
            needs_root: false,
            sensitive: false,
            redact: Vec::new(),
            timeout: 5,
            max_bytes: 100,
            source: SourceLoc::file_only("x.yml"),
        }
    }

    #[test]
    fn parameters_are_quoted_words() {
        let mut params = Params::new();
        params.insert("domain".into(), serde_json::json!("'; touch /tmp/pwned; '"));
        params.insert("roots".into(), serde_json::json!(["/var/www", "$(id)"]));
        params.insert("days".into(), serde_json::json!(365));
        let code = substitute(&def("grep -r {{domain}} {{ roots }} # {{days}}"), &params).unwrap();
        assert_eq!(
            code,
            "grep -r ''\\''; touch /tmp/pwned; '\\''' '/var/www' '$(id)' # '365'"
        );
        assert_eq!(probe_params("a {{x}} {{ y_2 }} {{bad-name}}"), ["x", "y_2"]);
    }

    #[test]
    fn a_missing_parameter_is_an_input_error() {
        let err = substitute(&def("echo {{nope}}"), &Params::new()).unwrap_err();
        assert!(err.to_string().contains("\"nope\""), "{err}");
    }
}
