//! The flags every command that loads plugins shares, and the one place they become the
//! synthesis library's [`Options`].

use std::path::PathBuf;
use std::time::Duration;

use stackweave_synth::{Budget, CompileCache, Diagnostic, Limits, Options};

use crate::exit;

/// Where team plugins are.
#[derive(clap::Args, Default)]
pub struct PluginArgs {
    /// A folder of team plugins (`*.wasm`, searched recursively); repeatable
    #[arg(long = "plugins", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

/// How a command synthesises a stack file: `synth` itself, and the check commands given one.
#[derive(clap::Args, Default)]
pub struct SynthesisArgs {
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    #[command(flatten)]
    pub cache: CacheArgs,
}

impl SynthesisArgs {
    /// The options these flags ask for; a limit that makes no sense is a usage error.
    pub fn options(self) -> Result<Options, Diagnostic> {
        Ok(Options {
            limits: self.sandbox.limits()?,
            budget: self.sandbox.budget()?,
            cache: self.cache.open(),
            plugin_dirs: self.plugins.dirs,
            ..Options::default()
        })
    }
}

/// The options of a command that loads plugins without running them (`lock`, `plugins`):
/// the sandbox's default limits bound describing them.
pub fn loading_options(plugins: &PluginArgs, cache: &CacheArgs) -> Options {
    Options {
        plugin_dirs: plugins.dirs.clone(),
        cache: cache.open(),
        ..Options::default()
    }
}

/// Where compiled plugins are kept between runs (docs/performance.md).
#[derive(clap::Args, Default)]
pub struct CacheArgs {
    /// Folder of compiled plugins [default: `stackweave/compiled` in the user's cache folder]
    #[arg(long, value_name = "DIR", env = "STACKWEAVE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile every plugin afresh and keep nothing (wins over `--cache-dir` and
    /// `STACKWEAVE_CACHE_DIR`)
    #[arg(long)]
    no_cache: bool,
}

impl CacheArgs {
    /// The cache to use, if any. A folder that cannot be used is a warning, not an error:
    /// synthesis only gets slower.
    fn open(&self) -> Option<CompileCache> {
        if self.no_cache {
            return None;
        }
        let dir = self
            .cache_dir
            .clone()
            .or_else(|| dirs::cache_dir().map(|d| d.join("stackweave").join("compiled")))?;
        match CompileCache::open(&dir) {
            Ok(cache) => Some(cache),
            Err(unusable) => {
                exit::report(&[Diagnostic::warning(unusable.to_string())]);
                None
            }
        }
    }
}

/// Limits on every plugin call; the defaults are documented in docs/sandbox.md.
#[derive(clap::Args, Default)]
pub struct SandboxArgs {
    /// Fuel budget for each plugin call (roughly WebAssembly instructions)
    #[arg(long, value_name = "UNITS", default_value_t = Limits::default().fuel)]
    plugin_fuel: u64,
    /// Memory cap for each plugin call, in MiB
    #[arg(long, value_name = "MIB", default_value_t = Limits::default().memory_bytes >> 20)]
    plugin_memory: usize,
    /// Wall-clock limit for each plugin call, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = Limits::default().timeout.as_secs_f64())]
    plugin_timeout: f64,
    /// Fragment output all plugin calls of the synthesis may return together (child
    /// constructs included), in MiB
    #[arg(long, value_name = "MIB", default_value_t = Budget::default().fragment_bytes >> 20)]
    total_output: usize,
    /// Child constructs all constructs of the synthesis may create together
    #[arg(long, value_name = "N", default_value_t = Budget::default().children)]
    total_children: usize,
    /// Wall-clock limit for all plugin calls of the synthesis together, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = Budget::default().timeout.as_secs_f64())]
    total_timeout: f64,
    /// Warnings shown for the whole synthesis; the rest are counted
    #[arg(long, value_name = "N", default_value_t = Budget::default().warnings)]
    total_warnings: usize,
}

impl SandboxArgs {
    /// The budget of the synthesis as a whole (docs/sandbox.md).
    fn budget(&self) -> Result<Budget, Diagnostic> {
        let timeout = Duration::try_from_secs_f64(self.total_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                Diagnostic::error("`--total-timeout` must be a positive number of seconds")
            })?;
        if self.total_output == 0 {
            return Err(Diagnostic::error("`--total-output` must be greater than 0"));
        }
        Ok(Budget {
            fragment_bytes: self.total_output.saturating_mul(1 << 20),
            children: self.total_children,
            timeout,
            warnings: self.total_warnings,
        })
    }

    fn limits(&self) -> Result<Limits, Diagnostic> {
        let timeout = Duration::try_from_secs_f64(self.plugin_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                Diagnostic::error("`--plugin-timeout` must be a positive number of seconds")
            })?;
        if self.plugin_fuel == 0 || self.plugin_memory == 0 {
            return Err(Diagnostic::error(
                "`--plugin-fuel` and `--plugin-memory` must be greater than 0",
            ));
        }
        Ok(Limits {
            fuel: self.plugin_fuel,
            memory_bytes: self.plugin_memory.saturating_mul(1 << 20),
            timeout,
            ..Limits::default()
        })
    }
}
