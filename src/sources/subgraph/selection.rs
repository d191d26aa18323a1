//! The GraphQL selection the hub asks a department's subgraph for, derived from the
//! department's domain records type (its serde shape, traced once), so that the remote
//! contract cannot drift from the records the rest of the hub reads.
//!
//! Each struct field is asked by its camelCase name under an alias that is its serde
//! name (`discharged_on: dischargedOn`), so the answer deserialises straight into the
//! domain type.

use serde_reflection::{ContainerFormat, Format, Registry, Tracer, TracerConfig};

/// The selection set (without the outer braces' field name) for records type `T`.
pub fn of<T: serde::de::DeserializeOwned>() -> Result<String, String> {
    // Tracing feeds every string field a default value; a date-shaped one lets the date
    // types' own parsers accept it (an empty string would not).
    let config = TracerConfig::default()
        .default_borrowed_str_value("2000-01-01")
        .default_string_value("2000-01-01".to_string());
    let mut tracer = Tracer::new(config);
    let (format, _) = tracer.trace_simple_type::<T>().map_err(|e| e.to_string())?;
    // Enum variants need not all be seen: only struct fields make the selection.
    let registry = tracer.registry_unchecked();
    let mut out = String::new();
    write(&format, &registry, &mut out, 0)?;
    Ok(out.trim_start().to_string())
}

fn write(
    format: &Format,
    registry: &Registry,
    out: &mut String,
    depth: usize,
) -> Result<(), String> {
    if depth > 16 {
        return Err("records type nests too deeply".into());
    }
    match format {
        Format::TypeName(name) => match registry.get(name) {
            Some(ContainerFormat::Struct(fields)) => {
                out.push_str(" {");
                for f in fields {
                    out.push(' ');
                    let camel = camel_case(&f.name);
                    if camel != f.name {
                        out.push_str(&f.name);
                        out.push_str(": ");
                    }
                    out.push_str(&camel);
                    write(&f.value, registry, out, depth + 1)?;
                }
                out.push_str(" }");
                Ok(())
            }
            Some(ContainerFormat::NewTypeStruct(inner)) => write(inner, registry, out, depth + 1),
            // Unit-variant enums are GraphQL enums: a leaf.
            Some(ContainerFormat::Enum(_)) => Ok(()),
            Some(other) => Err(format!("{name}: {other:?} has no GraphQL shape")),
            None => Err(format!("{name}: not traced")),
        },
        Format::Option(inner) | Format::Seq(inner) => write(inner, registry, out, depth + 1),
        Format::Variable(_) | Format::Map { .. } | Format::Tuple(_) | Format::TupleArray { .. } => {
            Err(format!("{format:?} has no GraphQL shape"))
        }
        // Scalars: a leaf.
        _ => Ok(()),
    }
}

/// `discharged_on` → `dischargedOn`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{hrss_training::TrainingFile, veterans::VeteransRecords};

    #[test]
    fn the_veterans_selection_aliases_every_field_to_its_serde_name() {
        assert_eq!(
            of::<VeteransRecords>().unwrap(),
            "{ records { id id_number: idNumber category discharged_on: dischargedOn region_code: regionCode } }"
        );
    }

    #[test]
    fn nested_records_are_followed() {
        let s = of::<TrainingFile>().unwrap();
        assert!(
            s.contains("class { id occupation_code: occupationCode"),
            "{s}"
        );
        assert!(
            s.contains("institution { id uscc name kind in_directory: inDirectory"),
            "{s}"
        );
    }

    #[test]
    fn every_department_has_a_selection() {
        for d in crate::departments::Department::ALL {
            assert!(super::super::selection_for(*d).is_ok(), "{d:?}");
        }
    }
}
