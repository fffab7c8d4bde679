//! Which plugin-contract versions this host loads, decided from a component's export names
//! before anything is instantiated, so a mismatch gets a message instead of a link error.

use std::fmt;

/// The package a construct plugin's export belongs to.
const EXPORT_PREFIX: &str = "stackweave:plugin/construct@";

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
}

impl fmt::Display for ContractVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What a component's exports say about the contract it implements.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// It exports the construct interface at this version.
    Contract(ContractVersion),
    /// It exports nothing of ours; these are its export names, for the message.
    Other(Vec<String>),
}

pub(crate) fn find_contract<'a>(export_names: impl IntoIterator<Item = &'a str>) -> Found {
    let mut others = Vec::new();
    for name in export_names {
        match name.strip_prefix(EXPORT_PREFIX) {
            Some(version) => {
                if let Some(version) = ContractVersion::parse(version) {
                    return Found::Contract(version);
                }
                others.push(name.to_string());
            }
            None => others.push(name.to_string()),
        }
    }
    Found::Other(others)
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
        let found = find_contract(["wasi:cli/run@0.2.0", "stackweave:plugin/construct@0.2.1"]);
        assert_eq!(found, Found::Contract(v(0, 2, 1)));
        let found = find_contract(["wasi:cli/run@0.2.0"]);
        assert_eq!(found, Found::Other(vec!["wasi:cli/run@0.2.0".to_string()]));
        let found = find_contract(["stackweave:plugin/construct@banana"]);
        assert!(matches!(found, Found::Other(_)));
    }
}
