//! JSON Schemas for shipshape's files (`shipshape schema KIND`), derived with
//! schemars from the very types that read check files, profiles and
//! inventories and write JSON reports, so a schema cannot drift from them.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// The files shipshape has a schema for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// A file under `checks/`: probes and checks.
    Check,
    /// A profile: selection, parameters, severity overrides.
    Profile,
    /// A YAML inventory of hosts.
    Inventory,
    /// The JSON report of `audit --format json`.
    Report,
}

impl SchemaKind {
    pub const ALL: [SchemaKind; 4] = [
        SchemaKind::Check,
        SchemaKind::Profile,
        SchemaKind::Inventory,
        SchemaKind::Report,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchemaKind::Check => "check",
            SchemaKind::Profile => "profile",
            SchemaKind::Inventory => "inventory",
            SchemaKind::Report => "report",
        }
    }

    fn title(self) -> &'static str {
        match self {
            SchemaKind::Check => "shipshape check file",
            SchemaKind::Profile => "shipshape profile",
            SchemaKind::Inventory => "shipshape inventory",
            SchemaKind::Report => "shipshape JSON report",
        }
    }
}

/// The JSON Schema (draft-07, the newest draft YAML editors all read) for `kind`. Input files are described
/// as they are read (defaults make keys optional); the report as it is
/// written.
pub fn schema(kind: SchemaKind) -> Schema {
    let settings = SchemaSettings::draft07();
    let mut generator = match kind {
        SchemaKind::Report => settings.for_serialize(),
        _ => settings.for_deserialize(),
    }
    .into_generator();
    let mut schema = match kind {
        SchemaKind::Check => root::<crate::catalog::check::CheckFileDoc>(&mut generator),
        SchemaKind::Profile => root::<crate::catalog::profile::ProfileDoc>(&mut generator),
        SchemaKind::Inventory => crate::inventory::schema(&mut generator),
        SchemaKind::Report => root::<crate::model::Report>(&mut generator),
    };
    schema.insert("title".into(), kind.title().into());
    schema
}

fn root<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.root_schema_for::<T>()
}

/// `schema(kind)` as pretty-printed JSON with a final newline.
pub fn render(kind: SchemaKind) -> String {
    let mut text =
        serde_json::to_string_pretty(&schema(kind)).expect("a schema serializes to JSON");
    text.push('\n');
    text
}
