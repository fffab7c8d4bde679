//! What `--trace` shows: each step of a request, titled, in order.

/// The steps of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Each step's title and text.
    pub steps: Vec<(String, String)>,
}

impl Trace {
    /// Records a step.
    pub fn push(&mut self, title: &str, text: String) {
        self.steps.push((title.to_owned(), text));
    }

    /// The text of the first step whose title starts with `title`.
    pub fn step(&self, title: &str) -> Option<&str> {
        self.steps
            .iter()
            .find(|(t, _)| t.starts_with(title))
            .map(|(_, text)| text.as_str())
    }

    /// The trace as `invoke --trace` prints it: each step under a `== title` line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (title, text) in &self.steps {
            out.push_str("== ");
            out.push_str(title);
            out.push('\n');
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}
