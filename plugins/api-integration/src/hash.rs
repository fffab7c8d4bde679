//! A short, stable hash of a JSON value, for the deployment's local id.
//!
//! Written out here rather than taken from a crate because the id must never change between
//! versions or machines: FNV-1a (64 bits) over canonical JSON, whose object keys are sorted,
//! so the hash depends on content alone, not on the order keys were inserted in.

use serde_json::Value;

/// The first 8 lowercase hex digits of [`fnv1a64`] of `value`'s canonical JSON.
pub(crate) fn short_hash(value: &Value) -> String {
    let hex = format!("{:016x}", fnv1a64(canonical_json(value).as_bytes()));
    hex[..8].to_owned()
}

/// FNV-1a, 64 bits.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

/// Compact JSON with every object's keys in sorted order.
pub(crate) fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(child) = object.get(key) {
                    write_canonical(child, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({"b": [1, {"d": "x\"y", "c": null}], "a": true});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":true,"b":[1,{"c":null,"d":"x\"y"}]}"#
        );
    }

    #[test]
    fn the_hash_ignores_key_order_and_follows_content() {
        let one = json!({"a": 1, "b": 2});
        let two = json!({"b": 2, "a": 1});
        assert_eq!(short_hash(&one), short_hash(&two));
        assert_ne!(short_hash(&one), short_hash(&json!({"a": 1, "b": 3})));
        let hash = short_hash(&one);
        assert_eq!(hash.len(), 8);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }
}
