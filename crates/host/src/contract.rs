//! Which contract versions this host loads, for construct plugins and for validators, decided
//! from a component's export names before anything is instantiated, so a mismatch gets a
//! message instead of a link error.

use std::fmt;

/// The package a construct plugin's export belongs to.
const EXPORT_PREFIX: &str = "stackweave:plugin/construct@";

/// The package a validator's export belongs to.
const VALIDATOR_EXPORT_PREFIX: &str = "stackweave:validator/validator@";

/// A `major.minor.patch` version of the plugin contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContractVersion {
    /// Incompatible changes.
    pub major: u32,
    /// For 0.x, incompatible changes too (semver for pre-1.0 versions).
    pub minor: u32,
    /// Compatible changes.
    pub patch: u32,
}

/// The newest contract this host speaks: what new plugins should be built against.
pub const CONTRACT_VERSION: ContractVersion = ContractVersion {
    major: 0,
    minor: 2,
    patch: 0,
};

/// Every contract this host loads plugins of, oldest first: each release line it still
/// keeps bindings for (`wit/since_vX.Y.Z/`), at its newest patch.
pub const SUPPORTED_CONTRACTS: &[ContractVersion] = &[
    ContractVersion {
        major: 0,
        minor: 1,
        patch: 0,
    },
    CONTRACT_VERSION,
];

/// The newest validator contract (`stackweave:validator`) this host speaks: what new
/// validators should be built against. It versions independently of the construct contract.
pub const VALIDATOR_CONTRACT_VERSION: ContractVersion = ContractVersion {
    major: 0,
    minor: 1,
    patch: 0,
};

/// Every validator contract this host loads validators of, oldest first: each release line
/// it keeps bindings for (`wit/validator/since_vX.Y.Z/`), at its newest patch.
pub const SUPPORTED_VALIDATOR_CONTRACTS: &[ContractVersion] = &[VALIDATOR_CONTRACT_VERSION];

impl ContractVersion {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.').map(|p| p.parse::<u32>().ok());
        let version = ContractVersion {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(version)
    }

    /// Whether a plugin built against `self` loads in a host speaking `host`: the same
    /// release line (major, and minor while major is 0), and not newer than the host.
    pub fn loads_in(self, host: ContractVersion) -> bool {
        let same_line = self.major == host.major && (self.major != 0 || self.minor == host.minor);
        same_line && self <= host
    }

    /// Whether this host loads a plugin built against `self`: it belongs to one of the
    /// [`SUPPORTED_CONTRACTS`] lines.
    pub fn is_supported(self) -> bool {
        SUPPORTED_CONTRACTS.iter().any(|&host| self.loads_in(host))
    }

    /// Whether this host loads a validator built against `self` (a version of
    /// `stackweave:validator`): it belongs to one of the [`SUPPORTED_VALIDATOR_CONTRACTS`]
    /// lines, by the same rule as construct plugins.
    pub fn is_supported_validator(self) -> bool {
        SUPPORTED_VALIDATOR_CONTRACTS
            .iter()
            .any(|&host| self.loads_in(host))
    }
}

impl fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What a component's exports say about the contracts it implements: read once, so a
/// caller can tell a construct plugin from a validator without loading anything twice.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Exports {
    /// The version of `stackweave:plugin/construct` it exports, if any.
    pub construct: Option<ContractVersion>,
    /// The version of `stackweave:validator/validator` it exports, if any.
    pub validator: Option<ContractVersion>,
    /// Its other export names (an export of ours whose version cannot be read counts as
    /// other), for the message when it speaks no world of ours.
    pub others: Vec<String>,
}

pub(crate) fn find_contracts<'a>(export_names: impl IntoIterator<Item = &'a str>) -> Exports {
    let mut exports = Exports::default();
    for name in export_names {
        let (slot, version) = if let Some(version) = name.strip_prefix(EXPORT_PREFIX) {
            (&mut exports.construct, version)
        } else if let Some(version) = name.strip_prefix(VALIDATOR_EXPORT_PREFIX) {
            (&mut exports.validator, version)
        } else {
            exports.others.push(name.to_string());
            continue;
        };
        match ContractVersion::parse(version) {
            Some(version) if slot.is_none() => *slot = Some(version),
            _ => exports.others.push(name.to_string()),
        }
    }
    exports
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u32, minor: u32, patch: u32) -> ContractVersion {
        ContractVersion {
            major,
            minor,
            patch,
        }
    }

    #[test]
    fn same_minor_line_loads_but_newer_or_other_lines_do_not() {
        assert!(v(0, 1, 0).loads_in(v(0, 1, 0)));
        assert!(v(0, 1, 0).loads_in(v(0, 1, 3)));
        assert!(!v(0, 1, 4).loads_in(v(0, 1, 3)));
        assert!(!v(0, 2, 0).loads_in(v(0, 1, 0)));
        assert!(!v(1, 0, 0).loads_in(v(0, 1, 0)));
        assert!(v(1, 0, 0).loads_in(v(1, 2, 0)));
    }

    #[test]
    fn both_the_old_and_the_new_line_load() {
        assert!(v(0, 1, 0).is_supported());
        assert!(v(0, 2, 0).is_supported());
        assert!(!v(0, 2, 1).is_supported());
        assert!(!v(0, 3, 0).is_supported());
        assert!(!v(0, 0, 9).is_supported());
        assert!(!v(1, 0, 0).is_supported());
    }

    #[test]
    fn export_names_are_read_for_the_contract_version() {
        let found = find_contracts(["wasi:cli/run@0.2.0", "stackweave:plugin/construct@0.2.1"]);
        assert_eq!(found.construct, Some(v(0, 2, 1)));
        assert_eq!(found.validator, None);
        let found = find_contracts(["wasi:cli/run@0.2.0"]);
        assert_eq!(
            found,
            Exports {
                construct: None,
                validator: None,
                others: vec!["wasi:cli/run@0.2.0".to_string()],
            }
        );
        let found = find_contracts(["stackweave:plugin/construct@banana"]);
        assert_eq!(found.construct, None);
        assert_eq!(found.others, ["stackweave:plugin/construct@banana"]);
    }

    #[test]
    fn validator_exports_are_told_apart_from_construct_exports() {
        let found = find_contracts(["stackweave:validator/validator@0.1.0"]);
        assert_eq!(found.validator, Some(v(0, 1, 0)));
        assert_eq!(found.construct, None);
        let found = find_contracts([
            "stackweave:plugin/construct@0.2.0",
            "stackweave:validator/validator@0.4.2",
        ]);
        assert_eq!(found.construct, Some(v(0, 2, 0)));
        assert_eq!(found.validator, Some(v(0, 4, 2)));
        assert!(found.others.is_empty());
        // The interface name matters, not only the package.
        let found = find_contracts(["stackweave:validator/types@0.1.0"]);
        assert_eq!(found.validator, None);
    }

    #[test]
    fn validator_contract_lines_are_their_own() {
        assert!(v(0, 1, 0).is_supported_validator());
        assert!(!v(0, 1, 1).is_supported_validator());
        assert!(!v(0, 2, 0).is_supported_validator());
        assert!(!v(1, 0, 0).is_supported_validator());
    }
}
