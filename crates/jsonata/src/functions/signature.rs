//! Function signatures (`<s-nn?:s>`), matched against the arguments as the reference
//! implementation matches them: each argument is a type symbol, each parameter accepts a
//! set of symbols (undefined fits any), `?` is optional, `+` repeats, and `-` takes the
//! context when the argument is left out. The match decides the error: `T0410` when the
//! arguments fit no reading of the signature, `T0411` when the context was taken and is
//! of the wrong type.

use crate::JsonataError;
use crate::error::Result;
use crate::value::Val;

/// One parameter of a signature.
#[derive(Debug)]
struct Param {
    /// The type symbols it accepts.
    accepts: String,
    optional: bool,
    context: bool,
    repeats: bool,
}

fn symbol(v: &Val) -> char {
    match v {
        Val::Undefined => 'm',
        Val::Null => 'l',
        Val::Bool(_) => 'b',
        Val::Num(_) => 'n',
        Val::Str(_) => 's',
        Val::Array(_) => 'a',
        Val::Object(_) => 'o',
        Val::Func(_) => 'f',
    }
}

fn expand(t: char) -> &'static str {
    match t {
        // An array parameter takes anything; a single value is a one-item array.
        'a' | 'x' => "asnblfo",
        'j' => "asnblo",
        's' => "s",
        'n' => "n",
        'b' => "b",
        'l' => "l",
        'o' => "o",
        'f' => "f",
        _ => "",
    }
}

/// The parameters of `signature` (its part before `:`).
fn params(signature: &str) -> Vec<Param> {
    let chars: Vec<char> = signature.trim_start_matches('<').chars().collect();
    let mut out: Vec<Param> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ':' | '>' => break,
            '(' => {
                let mut accepts = String::new();
                i += 1;
                while i < chars.len() && chars[i] != ')' {
                    accepts.push_str(expand(chars[i]));
                    i += 1;
                }
                out.push(Param {
                    accepts,
                    optional: false,
                    context: false,
                    repeats: false,
                });
            }
            '<' => {
                // A subtype (`a<n>`, `f<s:o>`): checked by the function itself.
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '<' => depth += 1,
                        '>' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            '?' => {
                if let Some(p) = out.last_mut() {
                    p.optional = true;
                }
            }
            '-' => {
                if let Some(p) = out.last_mut() {
                    p.context = true;
                }
            }
            '+' => {
                if let Some(p) = out.last_mut() {
                    p.repeats = true;
                }
            }
            t => out.push(Param {
                accepts: expand(t).to_string(),
                optional: false,
                context: false,
                repeats: false,
            }),
        }
        i += 1;
    }
    out
}

/// How many arguments each parameter took, or `None` when the arguments do not fit.
fn fit(params: &[Param], symbols: &[char]) -> Option<Vec<usize>> {
    fn go(params: &[Param], symbols: &[char], taken: &mut Vec<usize>) -> bool {
        let Some(param) = params.first() else {
            return symbols.is_empty();
        };
        let fits = |c: &char| *c == 'm' || param.accepts.contains(*c);
        let most = if param.repeats {
            symbols.iter().take_while(|c| fits(c)).count()
        } else {
            usize::from(symbols.first().is_some_and(fits))
        };
        // Greedy first, as a regular expression would try.
        for take in (1..=most).rev() {
            taken.push(take);
            if go(&params[1..], &symbols[take..], taken) {
                return true;
            }
            taken.pop();
        }
        if param.optional || param.context {
            taken.push(0);
            if go(&params[1..], symbols, taken) {
                return true;
            }
            taken.pop();
        }
        false
    }
    let mut taken = Vec::with_capacity(params.len());
    go(params, symbols, &mut taken).then_some(taken)
}

/// The arguments `name` gets: the supplied ones checked against `signature`, with the
/// context in place of a left-out context parameter and undefined for other left-out ones.
pub(crate) fn validate(
    name: &str,
    signature: &str,
    args: Vec<Val>,
    context: &Val,
) -> Result<Vec<Val>> {
    let params = params(signature);
    let symbols: Vec<char> = args.iter().map(symbol).collect();
    let Some(taken) = fit(&params, &symbols) else {
        return Err(JsonataError::code(
            "T0410",
            format!("the arguments of function {name} do not match its signature"),
        ));
    };
    let mut supplied = args.into_iter();
    let mut out = Vec::new();
    for (param, count) in params.iter().zip(taken) {
        if count == 0 {
            if param.context {
                let c = symbol(context);
                if c != 'm' && !param.accepts.contains(c) {
                    return Err(JsonataError::code(
                        "T0411",
                        format!(
                            "the context value is not a compatible type with argument 1 of function {name}"
                        ),
                    ));
                }
                out.push(context.clone());
            } else if !param.repeats {
                out.push(Val::Undefined);
            }
            continue;
        }
        out.extend(supplied.by_ref().take(count));
    }
    Ok(out)
}

/// How many parameters `signature` declares.
pub(super) fn count(signature: &str) -> usize {
    params(signature).len()
}
