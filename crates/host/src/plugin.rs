//! A loaded construct plugin: compiled once, described once, then called in a fresh store
//! for every construct that uses it.

use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::bindings::v0_1::stackweave::plugin::types as wit;
use crate::bindings::{v0_1, v0_2};
use crate::cache::Compiled;
use crate::component::{self, Prepared};
use crate::contract::ContractVersion;
use crate::error::{CallError, LoadError};
use crate::sandbox::{Limits, Runtime, Sandbox};
use crate::text;

/// What a plugin says about itself (`describe`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginInfo {
    /// The name stack files use.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// One line for people.
    pub description: String,
    /// JSON Schema of the props, as JSON text.
    pub props_schema: String,
    /// Attributes in order; the first is the default.
    pub attributes: Vec<AttributeInfo>,
    /// The contract version the plugin was built against.
    pub contract: ContractVersion,
    /// Whether it imports `composition`, and so may create child constructs.
    pub composes: bool,
}

/// One attribute a construct exposes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeInfo {
    /// Its name, as in `${Id.name}`.
    pub name: String,
    /// One line for people.
    pub doc: String,
}

/// Where the construct being synthesised sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthContext {
    /// The stack's name.
    pub stack_name: String,
    /// The construct's id.
    pub construct_id: String,
    /// Ids from the root down to this construct.
    pub construct_path: Vec<String>,
}

/// How serious a plugin diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Fails synthesis.
    Error,
    /// Shown, but synthesis goes on.
    Warning,
}

/// A problem a plugin reported about its props.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// JSON Pointer into the props, if the plugin gave one.
    pub path: Option<String>,
}

/// What a successful `synth` call answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SynthOutcome {
    /// The construct's contribution.
    Fragment {
        /// JSON text of `{Resources, Conditions, Outputs}` keyed by local ids.
        template: String,
        /// Attribute name and JSON text of its expression.
        attributes: Vec<(String, String)>,
        /// Warnings about the props.
        warnings: Vec<Diagnostic>,
    },
    /// The plugin refused the props.
    Rejected(Vec<Diagnostic>),
}

/// Creates the child constructs a plugin asks for while it synthesises (contract 0.2's
/// `composition` import). The caller of [`Plugin::synth`] provides one per call, since
/// children belong to the construct being synthesised.
pub trait Composer: Send + Sync {
    /// Synthesises the child `id` of the current construct with the plugin named `plugin`
    /// and `props` (JSON text). Returns the child's attributes (name and CloudFormation
    /// expression as JSON text, over the template's logical ids), or diagnostics for the
    /// calling plugin (the child's own problems are the composer's to report).
    fn add_child(
        &self,
        plugin: &str,
        id: &str,
        props: &str,
    ) -> Result<Vec<(String, String)>, Vec<Diagnostic>>;
}

/// The pre-instantiated component, by the contract version it speaks.
enum Pre {
    V0_1(v0_1::ConstructPluginPre<Sandbox>),
    V0_2(v0_2::ConstructPluginPre<Sandbox>),
}

/// An instance of the component in a call's store.
enum Instance {
    V0_1(v0_1::ConstructPlugin),
    V0_2(v0_2::ConstructPlugin),
}

impl Pre {
    fn new(contract: ContractVersion, pre: InstancePre<Sandbox>) -> wasmtime::Result<Pre> {
        Ok(if (contract.major, contract.minor) == (0, 1) {
            Pre::V0_1(v0_1::ConstructPluginPre::new(pre)?)
        } else {
            Pre::V0_2(v0_2::ConstructPluginPre::new(pre)?)
        })
    }

    fn engine(&self) -> &wasmtime::Engine {
        match self {
            Pre::V0_1(pre) => pre.engine(),
            Pre::V0_2(pre) => pre.engine(),
        }
    }

    fn instantiate(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<Instance> {
        Ok(match self {
            Pre::V0_1(pre) => Instance::V0_1(pre.instantiate(store)?),
            Pre::V0_2(pre) => Instance::V0_2(pre.instantiate(store)?),
        })
    }
}

impl Instance {
    fn describe(&self, store: &mut Store<Sandbox>) -> wasmtime::Result<wit::ConstructInfo> {
        match self {
            Instance::V0_1(plugin) => plugin.stackweave_plugin_construct().call_describe(store),
            Instance::V0_2(plugin) => plugin.stackweave_plugin_construct().call_describe(store),
        }
    }

    fn synth(
        &self,
        store: &mut Store<Sandbox>,
        context: &wit::SynthContext,
        props: &str,
    ) -> wasmtime::Result<Result<wit::Fragment, Vec<wit::Diagnostic>>> {
        match self {
            Instance::V0_1(plugin) => plugin
                .stackweave_plugin_construct()
                .call_synth(store, context, props),
            Instance::V0_2(plugin) => plugin
                .stackweave_plugin_construct()
                .call_synth(store, context, props),
        }
    }
}

/// A construct plugin ready to run.
pub struct Plugin {
    pre: Pre,
    info: PluginInfo,
    limits: Limits,
    compiled: Compiled,
}

impl Plugin {
    /// Checks, compiles (or takes from the runtime's cache) and describes a plugin from its
    /// bytes. `sha256` is the digest of `bytes`, which callers have already computed to
    /// identify the plugin; it names the plugin's cache entry.
    pub fn load(runtime: &Runtime, bytes: &[u8], sha256: &[u8; 32]) -> Result<Plugin, LoadError> {
        let prepared = component::prepare(runtime, bytes, sha256)?;
        Plugin::from_prepared(runtime, prepared)
    }

    /// Makes a construct plugin of a compiled component whose exports have been read: checks
    /// it speaks a construct contract this host loads, links it and describes it.
    pub(crate) fn from_prepared(
        runtime: &Runtime,
        prepared: Prepared,
    ) -> Result<Plugin, LoadError> {
        let Prepared {
            component,
            compiled,
            exports,
        } = prepared;
        let contract = match exports.construct {
            Some(version) if version.is_supported() => version,
            Some(found) => return Err(LoadError::IncompatibleContract { found }),
            None if exports.validator.is_some() => return Err(LoadError::IsAValidator),
            None => {
                return Err(LoadError::NotAPlugin {
                    exports: exports.others,
                });
            }
        };
        // A plugin that never calls `add-child` does not import it (the linker drops it).
        let composes = component
            .component_type()
            .imports(&runtime.engine)
            .any(|(name, _)| name.starts_with("stackweave:plugin/composition@"));
        let instance_pre = component::instantiate_pre(runtime, &component)?;
        let pre = Pre::new(contract, instance_pre)
            .map_err(|e| LoadError::WrongShape(format!("{e:#}")))?;
        let mut plugin = Plugin {
            pre,
            info: PluginInfo {
                name: String::new(),
                version: String::new(),
                description: String::new(),
                props_schema: String::new(),
                attributes: Vec::new(),
                contract,
                composes,
            },
            limits: runtime.limits,
            compiled,
        };
        plugin.info = plugin.describe(contract, composes)?;
        Ok(plugin)
    }

    /// What the plugin said about itself.
    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// Whether this run compiled the plugin or took it from the cache.
    pub fn compiled(&self) -> Compiled {
        self.compiled
    }

    fn describe(&self, contract: ContractVersion, composes: bool) -> Result<PluginInfo, LoadError> {
        let answer = self
            .call(None, |plugin, store| plugin.describe(store))
            .map_err(|e| LoadError::Describe(Box::new(e)))?;
        // Everything but the schema (JSON, compiled by the caller) is shown to people.
        let shown = |text: &str| text::line(text, self.limits.text_bytes);
        let info = PluginInfo {
            name: shown(&answer.name),
            version: shown(&answer.version),
            description: shown(&answer.description),
            props_schema: answer.props_schema,
            attributes: answer
                .attributes
                .iter()
                .map(|a| AttributeInfo {
                    name: shown(&a.name),
                    doc: shown(&a.doc),
                })
                .collect(),
            contract,
            composes,
        };
        check_description(&info)?;
        Ok(info)
    }

    /// Runs `synth` for one construct in a fresh store. `composer` answers the plugin's
    /// requests for child constructs; without one, such a request fails.
    pub fn synth(
        &self,
        context: &SynthContext,
        props_json: &str,
        composer: Option<Arc<dyn Composer>>,
    ) -> Result<SynthOutcome, CallError> {
        self.synth_with(context, props_json, composer, &self.limits)
    }

    /// [`Plugin::synth`] under `limits` instead of the runtime's: a caller with a budget of
    /// its own (a synthesis' deadline, say) gives a call less than the runtime would.
    pub fn synth_with(
        &self,
        context: &SynthContext,
        props_json: &str,
        composer: Option<Arc<dyn Composer>>,
        limits: &Limits,
    ) -> Result<SynthOutcome, CallError> {
        let context = wit::SynthContext {
            stack_name: context.stack_name.clone(),
            construct_id: context.construct_id.clone(),
            construct_path: context.construct_path.clone(),
        };
        let answer = self.call_with(limits, composer, |plugin, store| {
            plugin.synth(store, &context, props_json)
        })?;
        match answer {
            Ok(fragment) => {
                let size = fragment.template.len()
                    + fragment
                        .attributes
                        .iter()
                        .map(|a| a.name.len() + a.value.len())
                        .sum::<usize>();
                if size > limits.output_bytes {
                    return Err(CallError::OutputTooLarge {
                        limit: limits.output_bytes,
                        actual: size,
                    });
                }
                Ok(SynthOutcome::Fragment {
                    template: fragment.template,
                    attributes: fragment
                        .attributes
                        .into_iter()
                        // A name no attribute has reaches the message saying so.
                        .map(|a| (text::line(&a.name, self.limits.text_bytes), a.value))
                        .collect(),
                    warnings: text::diagnostics(
                        fragment.warnings.into_iter().map(Diagnostic::from),
                        &self.limits,
                    ),
                })
            }
            Err(diagnostics) => Ok(SynthOutcome::Rejected(text::diagnostics(
                diagnostics.into_iter().map(Diagnostic::from),
                &self.limits,
            ))),
        }
    }

    /// Instantiates in a fresh store and runs `f` there, under the sandbox's limits
    /// (`component::call`), turning any failure into a `CallError`.
    fn call<R: Send>(
        &self,
        composer: Option<Arc<dyn Composer>>,
        f: impl FnOnce(&Instance, &mut Store<Sandbox>) -> wasmtime::Result<R> + Send,
    ) -> Result<R, CallError> {
        self.call_with(&self.limits, composer, f)
    }

    fn call_with<R: Send>(
        &self,
        limits: &Limits,
        composer: Option<Arc<dyn Composer>>,
        f: impl FnOnce(&Instance, &mut Store<Sandbox>) -> wasmtime::Result<R> + Send,
    ) -> Result<R, CallError> {
        component::call(
            self.pre.engine(),
            limits,
            composer,
            |store| self.pre.instantiate(store),
            f,
        )
    }
}

/// Whether `name` can name a construct (what stack files write in `plugin:`): lowercase
/// words of letters and digits, each starting with a letter, joined by `-`.
pub fn is_construct_name(name: &str) -> bool {
    name.split('-').all(|word| {
        word.starts_with(|c: char| c.is_ascii_lowercase())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    })
}

fn check_description(info: &PluginInfo) -> Result<(), LoadError> {
    if !is_construct_name(&info.name) {
        return Err(LoadError::BadDescription(format!(
            "its name `{}` is not lowercase words joined by `-` (like `express-workflow`)",
            info.name
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    for attribute in &info.attributes {
        if !seen.insert(attribute.name.as_str()) {
            return Err(LoadError::BadDescription(format!(
                "it lists the attribute `{}` twice",
                attribute.name
            )));
        }
    }
    Ok(())
}

impl From<wit::Diagnostic> for Diagnostic {
    fn from(d: wit::Diagnostic) -> Self {
        Diagnostic {
            severity: match d.severity {
                wit::Severity::Error => Severity::Error,
                wit::Severity::Warning => Severity::Warning,
            },
            message: d.message,
            path: d.path,
        }
    }
}

impl From<Diagnostic> for wit::Diagnostic {
    fn from(d: Diagnostic) -> Self {
        wit::Diagnostic {
            severity: match d.severity {
                Severity::Error => wit::Severity::Error,
                Severity::Warning => wit::Severity::Warning,
            },
            message: d.message,
            path: d.path,
        }
    }
}
