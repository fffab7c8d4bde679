//! Reading API Gateway mapping templates (Velocity Template Language) far enough to know
//! which request parameters they read and whether they handle an execution's status.
//!
//! This is not a VTL interpreter. It finds references (`$name`, `$!name`, `${name}`)
//! followed by `.property`, `.method(args)` and `[index]` segments, follows `#set` aliases
//! of the parameter maps, skips `##` and `#* *#` comments, and reads string-literal
//! arguments. The forms API Gateway documents for request parameters are:
//!
//! - `$input.params('name')` (or `"name"`): searches the path, then the query string, then
//!   the headers;
//! - `$input.params()`: a map with keys `path`, `querystring` and `header`, each a map of
//!   name to value, read as `.querystring.get('name')`, `.querystring.name`,
//!   `.querystring['name']` or `.get('querystring')...` (Velocity reads a map's property
//!   as `get`), and tested with `.containsKey('name')`.
//!
//! Names computed at run time (`$input.params($name)`, `#foreach` over `keySet()`) are not
//! particular parameters and are not reported.

use std::collections::BTreeMap;

use crate::intrinsics::PLACEHOLDER;

/// Where a template reads a request parameter from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Location {
    Path,
    QueryString,
    Header,
    /// `$input.params('name')`: the first of path, query string and header that has it.
    Any,
}

impl Location {
    fn from_key(key: &str) -> Option<Self> {
        match key {
            "path" => Some(Location::Path),
            "querystring" => Some(Location::QueryString),
            "header" => Some(Location::Header),
            _ => None,
        }
    }

    /// How messages name the location.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Location::Path => "path parameter",
            Location::QueryString => "query-string parameter",
            Location::Header => "header",
            Location::Any => "parameter",
        }
    }
}

/// A request parameter a template reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Read {
    pub(crate) location: Location,
    pub(crate) name: String,
    /// The expression as written, for messages (`$input.params('param')`).
    pub(crate) expression: String,
}

/// What a reference evaluates to, as far as parameters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    /// `$input`.
    Input,
    /// `$input.params()`.
    Params,
    /// `$input.params().querystring` and the like.
    Map(Location),
    /// Anything else.
    Other,
}

/// An argument of a method call or index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    /// A string literal fixed in the template.
    Text(String),
    /// Anything else (a reference, a number, an interpolated string...).
    Other,
}

#[derive(Debug)]
enum Segment {
    Property(String),
    Call(String, Vec<Arg>),
    Index(Arg),
}

/// A parsed reference: `$root.segment...`.
struct Reference {
    /// Where its `$` is.
    start: usize,
    root: String,
    segments: Vec<Segment>,
    /// Just after the root identifier: scanning resumes there, so references nested in the
    /// arguments are found too.
    root_end: usize,
    /// Just after the whole reference.
    end: usize,
}

/// Every request parameter `template` reads with a name fixed in the template, in the
/// order they appear, each (location, name) once.
pub(crate) fn parameter_reads(template: &str) -> Vec<Read> {
    let chars: Vec<char> = strip_comments(template).chars().collect();
    let mut aliases: BTreeMap<String, Value> = BTreeMap::new();
    let mut reads: Vec<Read> = Vec::new();
    let record = |read: Read, reads: &mut Vec<Read>| {
        if !reads
            .iter()
            .any(|r| r.location == read.location && r.name == read.name)
        {
            reads.push(read);
        }
    };
    let mut at = 0;
    while at < chars.len() {
        if chars[at] == '#'
            && let Some((variable, rhs)) = set_directive(&chars, at)
        {
            // `#set($q = <reference>)`: evaluate the right-hand side once here, then
            // remember what the variable now holds.
            let value = match parse_reference(&chars, rhs) {
                Some(reference) => {
                    let (value, read) = evaluate(&reference, &aliases, &chars);
                    if let Some(read) = read {
                        record(read, &mut reads);
                    }
                    at = reference.root_end;
                    value
                }
                None => {
                    at = rhs;
                    Value::Other
                }
            };
            match value {
                Value::Params | Value::Map(_) => aliases.insert(variable, value),
                _ => aliases.remove(&variable),
            };
            continue;
        }
        if chars[at] == '$'
            && (at == 0 || chars[at - 1] != '\\')
            && let Some(reference) = parse_reference(&chars, at)
        {
            let (_, read) = evaluate(&reference, &aliases, &chars);
            if let Some(read) = read {
                record(read, &mut reads);
            }
            at = reference.root_end;
            continue;
        }
        at += 1;
    }
    reads
}

/// Removes `## line` and `#* block *#` comments: text there is never evaluated.
fn strip_comments(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    loop {
        let line = rest.find("##");
        let block = rest.find("#*");
        let (start, is_line) = match (line, block) {
            (None, None) => break,
            (Some(l), Some(b)) if b < l => (b, false),
            (Some(l), _) => (l, true),
            (None, Some(b)) => (b, false),
        };
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        rest = if is_line {
            // The line break ends the comment and is kept.
            after.find('\n').map_or("", |end| &after[end..])
        } else {
            after.find("*#").map_or("", |end| &after[end + 2..])
        };
    }
    out.push_str(rest);
    out
}

/// If a `#set(` / `#{set}(` directive with a plain `$variable =` starts at `at`: the
/// variable's name and where its right-hand side starts.
fn set_directive(chars: &[char], at: usize) -> Option<(String, usize)> {
    let mut i = at + 1;
    let keyword: &[char] = if chars.get(i) == Some(&'{') {
        &['{', 's', 'e', 't', '}']
    } else {
        &['s', 'e', 't']
    };
    if chars.get(i..i + keyword.len())? != keyword {
        return None;
    }
    i += keyword.len();
    i = skip_spaces(chars, i);
    (chars.get(i) == Some(&'(')).then_some(())?;
    i = skip_spaces(chars, i + 1);
    (chars.get(i) == Some(&'$')).then_some(())?;
    i += 1;
    let braced = chars.get(i) == Some(&'{');
    if braced {
        i += 1;
    }
    let (name, after) = identifier(chars, i)?;
    i = after;
    if braced {
        (chars.get(i) == Some(&'}')).then_some(())?;
        i += 1;
    }
    i = skip_spaces(chars, i);
    (chars.get(i) == Some(&'=')).then_some(())?;
    Some((name, skip_spaces(chars, i + 1)))
}

fn skip_spaces(chars: &[char], mut at: usize) -> usize {
    while chars.get(at).is_some_and(|c| c.is_whitespace()) {
        at += 1;
    }
    at
}

/// A VTL identifier at `at`: a letter, then letters, digits, `_` or `-`.
fn identifier(chars: &[char], at: usize) -> Option<(String, usize)> {
    if !chars.get(at)?.is_ascii_alphabetic() {
        return None;
    }
    let mut end = at + 1;
    while chars
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
    {
        end += 1;
    }
    Some((chars[at..end].iter().collect(), end))
}

/// The reference starting with the `$` at `at`, if one does.
fn parse_reference(chars: &[char], at: usize) -> Option<Reference> {
    let mut i = at + 1;
    if chars.get(i) == Some(&'!') {
        i += 1;
    }
    let braced = chars.get(i) == Some(&'{');
    if braced {
        i += 1;
    }
    let (root, root_end) = identifier(chars, i)?;
    i = root_end;
    let mut segments = Vec::new();
    loop {
        match chars.get(i) {
            Some('.') => {
                let Some((name, after)) = identifier(chars, i + 1) else {
                    break;
                };
                if chars.get(after) == Some(&'(') {
                    let Some((args, close)) = arguments(chars, after, ')') else {
                        break;
                    };
                    segments.push(Segment::Call(name, args));
                    i = close + 1;
                } else {
                    segments.push(Segment::Property(name));
                    i = after;
                }
            }
            Some('[') => {
                let Some((mut args, close)) = arguments(chars, i, ']') else {
                    break;
                };
                let arg = if args.len() == 1 {
                    args.remove(0)
                } else {
                    Arg::Other
                };
                segments.push(Segment::Index(arg));
                i = close + 1;
            }
            _ => break,
        }
    }
    if braced && chars.get(i) == Some(&'}') {
        i += 1;
    }
    Some(Reference {
        start: at,
        root,
        segments,
        root_end,
        end: i,
    })
}

/// The arguments between the bracket at `open` and its matching `close`, and where that
/// closing bracket is. Quotes are tracked so brackets and commas inside strings do not
/// count; VTL strings have no backslash escapes.
fn arguments(chars: &[char], open: usize, close: char) -> Option<(Vec<Arg>, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = open + 1;
    let mut args = Vec::new();
    let mut i = open + 1;
    while let Some(&c) = chars.get(i) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth > 0 => depth -= 1,
                c if c == close => {
                    let last: String = chars[start..i].iter().collect();
                    if !(args.is_empty() && last.trim().is_empty()) {
                        args.push(argument(&last));
                    }
                    return Some((args, i));
                }
                ',' if depth == 0 => {
                    args.push(argument(&chars[start..i].iter().collect::<String>()));
                    start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    None
}

fn argument(text: &str) -> Arg {
    let text = text.trim();
    for quote in ['\'', '"'] {
        if let Some(inner) = text
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            // A double-quoted string interpolates references; a `Fn::Sub` variable makes
            // the name unknown until deploy time.
            let fixed = !inner.contains(quote)
                && !inner.contains(PLACEHOLDER)
                && (quote == '\'' || !inner.contains('$'));
            return if fixed {
                Arg::Text(inner.to_owned())
            } else {
                Arg::Other
            };
        }
    }
    Arg::Other
}

/// What a reference evaluates to, and the parameter it reads, if it reads one.
fn evaluate(
    reference: &Reference,
    aliases: &BTreeMap<String, Value>,
    chars: &[char],
) -> (Value, Option<Read>) {
    let mut value = match reference.root.as_str() {
        "input" => Value::Input,
        name => aliases.get(name).copied().unwrap_or(Value::Other),
    };
    let read = |location: Location, name: &str| Read {
        location,
        name: name.to_owned(),
        expression: chars[reference.start..reference.end].iter().collect(),
    };
    for segment in &reference.segments {
        value = match value {
            Value::Input => match segment {
                Segment::Call(method, args) if method == "params" => match args.as_slice() {
                    [] => Value::Params,
                    [Arg::Text(name)] => return (Value::Other, Some(read(Location::Any, name))),
                    _ => return (Value::Other, None),
                },
                _ => return (Value::Other, None),
            },
            Value::Params => match map_key(segment, false).and_then(Location::from_key) {
                Some(location) => Value::Map(location),
                None => return (Value::Other, None),
            },
            Value::Map(location) => {
                return match map_key(segment, true) {
                    Some(name) => (Value::Other, Some(read(location, name))),
                    None => (Value::Other, None),
                };
            }
            Value::Other => return (Value::Other, None),
        };
    }
    (value, None)
}

/// The key a segment reads from a map: `.key`, `.get('key')`, `['key']`, and, when
/// `presence` is allowed, `.containsKey('key')`.
fn map_key(segment: &Segment, presence: bool) -> Option<&str> {
    match segment {
        // Velocity reads `$map.key` as `$map.get("key")`, except for names that are
        // properties of every map (`$map.empty` is `isEmpty()`, `$map.class` `getClass()`).
        Segment::Property(key) if key != "empty" && key != "class" => Some(key),
        Segment::Call(method, args) if method == "get" || (presence && method == "containsKey") => {
            match args.as_slice() {
                [Arg::Text(key)] => Some(key),
                _ => None,
            }
        }
        Segment::Index(Arg::Text(key)) => Some(key),
        _ => None,
    }
}

const OVERRIDE: &str = "context.responseOverride.status";

/// Whether a response template reads the `status` field of what the back end returned
/// (`$input.path('$.status')`, `$input.json('$.status')`, `$body.status`,
/// `.get('status')`), not counting `$context.responseOverride.status` itself.
pub(crate) fn reads_status(template: &str) -> bool {
    let text = strip_comments(template).replace(OVERRIDE, "");
    let bytes = text.as_bytes();
    let dotted = text.match_indices(".status").any(|(at, found)| {
        !bytes
            .get(at + found.len())
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    });
    dotted
        || [
            "get('status')",
            "get(\"status\")",
            "['status']",
            "[\"status\"]",
        ]
        .iter()
        .any(|form| text.contains(form))
}

/// Whether a response template assigns `$context.responseOverride.status` (the HTTP
/// status the method answers with).
pub(crate) fn overrides_status(template: &str) -> bool {
    let text = strip_comments(template);
    text.match_indices(OVERRIDE).any(|(at, found)| {
        let rest = text[at + found.len()..].trim_start();
        let rest = rest.strip_prefix('}').unwrap_or(rest).trim_start();
        rest.starts_with('=') && !rest.starts_with("==")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(template: &str) -> Vec<(Location, String)> {
        parameter_reads(template)
            .into_iter()
            .map(|read| (read.location, read.name))
            .collect()
    }

    #[test]
    fn input_params_with_a_name_searches_every_location() {
        let seed = "#set($data='{\"param\":\"'+$input.params('param')+'\"}')\n#set($data=$util.escapeJavaScript($data))";
        let reads = parameter_reads(seed);
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].location, Location::Any);
        assert_eq!(reads[0].name, "param");
        assert_eq!(reads[0].expression, "$input.params('param')");
        assert_eq!(
            names("$input.params(\"x\")"),
            vec![(Location::Any, "x".to_owned())]
        );
    }

    #[test]
    fn maps_of_input_params_name_their_location() {
        assert_eq!(
            names(
                "$input.params().querystring.get('a') $input.params().path.b \
                 $!input.params().header['C'] ${input.params().get('querystring').get('d')}"
            ),
            vec![
                (Location::QueryString, "a".to_owned()),
                (Location::Path, "b".to_owned()),
                (Location::Header, "C".to_owned()),
                (Location::QueryString, "d".to_owned()),
            ]
        );
    }

    #[test]
    fn aliases_set_with_set_are_followed() {
        let example = "## The execution input is JSON inside a JSON string: $input.params('no')\n\
            #set($q = $input.params().querystring)\n\
            #set($f0 = $q.containsKey('param'))\n\
            #set($v0 = $q.get('param'))\n\
            {\"input\": \"{\\\"param\\\": #if($f0)\\\"$util.escapeJavaScript($util.escapeJavaScript($v0).replaceAll(\"\\\\'\", \"'\")).replaceAll(\"\\\\'\", \"'\")\\\"#{else}null#end}\"}\n\
            #set($all = $input.params())\n\
            $all.path.get('id') $all.header.get('X-Trace')\n\
            #set($q = 'plain')\n\
            $q.get('gone')";
        assert_eq!(
            names(example),
            vec![
                (Location::QueryString, "param".to_owned()),
                (Location::Path, "id".to_owned()),
                (Location::Header, "X-Trace".to_owned()),
            ]
        );
    }

    #[test]
    fn runtime_names_and_escapes_are_not_reads() {
        assert!(names("#foreach($k in $input.params().querystring.keySet())$input.params().querystring.get($k)#end").is_empty());
        assert!(names("\\$input.params('x') #* $input.params('y') *#").is_empty());
        assert!(names("$input.params(\"$name\")").is_empty());
        assert!(names(&format!("$input.params('{PLACEHOLDER}')")).is_empty());
        assert!(names("$input.params().querystring.empty").is_empty());
    }

    #[test]
    fn status_handling() {
        let example = "## The execution's status picks the response\n\
            #set($status = $input.path('$.status'))\n\
            #if($status == 'SUCCEEDED')\n$!input.path('$.output')\n#else\n\
            #set($context.responseOverride.status = 500)\n#end";
        assert!(reads_status(example));
        assert!(overrides_status(example));
        assert!(!reads_status("$input.body"));
        assert!(!overrides_status("$input.body"));
        assert!(!reads_status(
            "#set($context.responseOverride.status = 500)"
        ));
        assert!(!overrides_status(
            "#if($context.responseOverride.status == 500)#end"
        ));
        assert!(!overrides_status(
            "## #set($context.responseOverride.status = 500)"
        ));
        assert!(reads_status(
            "#set($b = $util.parseJson($input.body))$b.status"
        ));
        assert!(!reads_status("$input.path('$.statusCode')"));
    }
}
