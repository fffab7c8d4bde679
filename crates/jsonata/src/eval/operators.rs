//! The binary operators on evaluated operands: arithmetic (numbers or undefined), the
//! comparisons (numbers with numbers, strings with strings), deep equality, `&` and `in`.

use crate::JsonataError;
use crate::ast::BinOp;
use crate::error::Result;
use crate::functions;
use crate::value::{Val, deep_equal};

pub(super) fn binary(op: BinOp, l: Val, r: Val) -> Result<Val> {
    match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
            let x = match l {
                Val::Undefined => None,
                Val::Num(n) => Some(n),
                _ => {
                    return Err(JsonataError::code(
                        "T2001",
                        "the left side of an arithmetic operator must evaluate to a number",
                    ));
                }
            };
            let y = match r {
                Val::Undefined => None,
                Val::Num(n) => Some(n),
                _ => {
                    return Err(JsonataError::code(
                        "T2002",
                        "the right side of an arithmetic operator must evaluate to a number",
                    ));
                }
            };
            let (Some(x), Some(y)) = (x, y) else {
                return Ok(Val::Undefined);
            };
            let n = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => x / y,
                _ => x % y,
            };
            // Infinity travels on (JavaScript's arithmetic); `$string` and the output refuse it.
            Ok(Val::Num(n))
        }
        BinOp::Eq | BinOp::Ne => {
            if l.is_undefined() || r.is_undefined() {
                return Ok(Val::Bool(false));
            }
            let eq = deep_equal(&l, &r);
            Ok(Val::Bool(if op == BinOp::Eq { eq } else { !eq }))
        }
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            let comparable = |v: &Val| matches!(v, Val::Undefined | Val::Num(_) | Val::Str(_));
            if !comparable(&l) || !comparable(&r) {
                return Err(JsonataError::code(
                    "T2010",
                    "the expressions either side of operator must evaluate to numeric or string values",
                ));
            }
            let ord = match (&l, &r) {
                (Val::Undefined, _) | (_, Val::Undefined) => return Ok(Val::Undefined),
                (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
                (Val::Str(x), Val::Str(y)) => Some(functions::compare_strings(x, y)),
                _ => {
                    return Err(JsonataError::code(
                        "T2009",
                        "the values either side of the operator must be of the same data type",
                    ));
                }
            };
            let Some(ord) = ord else {
                return Ok(Val::Bool(false));
            };
            use std::cmp::Ordering::{Equal, Greater, Less};
            Ok(Val::Bool(match op {
                BinOp::Lt => ord == Less,
                BinOp::Le => ord != Greater,
                BinOp::Gt => ord == Greater,
                _ => ord == Greater || ord == Equal,
            }))
        }
        BinOp::Concat => {
            let mut s = functions::string_of(&l, false)?.unwrap_or_default();
            s.push_str(&functions::string_of(&r, false)?.unwrap_or_default());
            Ok(Val::string(functions::bounded(s)?))
        }
        BinOp::In => {
            if l.is_undefined() {
                return Ok(Val::Bool(false));
            }
            Ok(Val::Bool(r.to_items().iter().any(|v| deep_equal(v, &l))))
        }
    }
}
