//! `stackweave synth --check --out DIR`: are the committed outputs current? Synthesises in
//! memory, compares every file `synth --out DIR` would write with what `DIR` holds, and
//! touches nothing on disk. `report::CheckReport` renders the comparison.

use std::path::Path;

use similar::TextDiff;

use crate::report::display_path;

/// How one output file compares.
pub struct Compared {
    /// The file's path as reports show it.
    pub file: String,
    pub state: State,
}

/// What `DIR` holds compared with the synthesis.
pub enum State {
    /// Byte for byte what synthesis gives.
    Current,
    /// Different: the unified diff from what is there to what synthesis gives, and the
    /// first line that differs (in the committed file).
    Changed { diff: String, first_line: usize },
    /// Not there (or unreadable) at all.
    Missing,
}

/// Compares each `(name, contents)` with `dir/name`.
pub fn compare(dir: &Path, files: &[(String, String)]) -> Vec<Compared> {
    files
        .iter()
        .map(|(name, synthesised)| {
            let path = dir.join(name);
            let file = display_path(&path);
            // What is there is only read if it could be what synthesis writes: a regular
            // UTF-8 file within the template bound; anything else is as good as missing.
            let committed = stackweave_template_file::read_text(&path);
            let state = match committed {
                Err(_) => State::Missing,
                Ok(committed) if committed == *synthesised => State::Current,
                Ok(committed) => {
                    let diff = TextDiff::from_lines(&committed, synthesised);
                    let first_line = committed
                        .lines()
                        .zip(synthesised.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or_else(|| {
                            committed.lines().count().min(synthesised.lines().count())
                        })
                        + 1;
                    let diff = diff
                        .unified_diff()
                        .context_radius(3)
                        .header(
                            &format!("{file} (committed)"),
                            &format!("{file} (synthesised)"),
                        )
                        .to_string();
                    State::Changed { diff, first_line }
                }
            };
            Compared { file, state }
        })
        .collect()
}

/// Whether any file is out of date.
pub fn stale(compared: &[Compared]) -> bool {
    compared.iter().any(|c| !matches!(c.state, State::Current))
}
