//! Constructors: arrays `[...]` (with ranges `a..b`), objects `{k: v}` and grouping
//! `expr{k: v}` (one evaluation per key over the items that produced it), and the transform
//! operator `| pattern | update, delete |`.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Evaluator, Frame, MAX_EVAL_DEPTH};
use crate::JsonataError;
use crate::ast::{Kind, Node, TransformDef};
use crate::error::Result;
use crate::value::{Array, Obj, Val};

/// The largest range `[a..b]` JSONata builds (its limit is ten million items).
const MAX_RANGE: f64 = 1e7;

impl Evaluator<'_> {
    pub(super) fn array(&self, items: &[Node], input: &Val, frame: &Rc<Frame>) -> Result<Val> {
        let mut out = Vec::new();
        for item in items {
            if let Kind::Range(lo, hi) = &item.kind {
                let lo_v = self.eval(lo, input, frame)?;
                let hi_v = self.eval(hi, input, frame)?;
                range(&lo_v, &hi_v, &mut out).map_err(|e| e.at(item.pos))?;
                continue;
            }
            let v = self.eval(item, input, frame)?;
            match v {
                Val::Undefined => {}
                Val::Array(_) if matches!(item.kind, Kind::Array(_)) => out.push(v),
                Val::Array(a) => out.extend(a.items.iter().cloned()),
                other => out.push(other),
            }
        }
        Ok(Val::array(out))
    }

    /// An object constructor or a group-by: keys are evaluated per item, and each key's
    /// value over the items that produced it.
    pub(super) fn group(
        &self,
        pairs: &[(Node, Node)],
        input: &Val,
        frame: &Rc<Frame>,
    ) -> Result<Val> {
        let items = match input {
            Val::Array(a) if a.items.is_empty() => vec![Val::Undefined],
            Val::Array(a) => a.items.clone(),
            other => vec![other.clone()],
        };
        let mut order: Vec<Rc<str>> = Vec::new();
        let mut groups: HashMap<Rc<str>, (usize, Vec<Val>)> = HashMap::new();
        for item in &items {
            for (pair_index, (key_node, _)) in pairs.iter().enumerate() {
                let key = match self.eval(key_node, item, frame)? {
                    Val::Undefined => continue,
                    Val::Str(s) => s,
                    other => {
                        return Err(JsonataError::new(
                            "T1003",
                            Some(key_node.pos),
                            format!(
                                "key in object structure must evaluate to a string; got: {}",
                                other.type_name()
                            ),
                        ));
                    }
                };
                match groups.get_mut(&key) {
                    Some((index, data)) => {
                        if *index != pair_index {
                            return Err(JsonataError::new(
                                "D1009",
                                Some(key_node.pos),
                                format!("multiple key definitions evaluate to same key: {key}"),
                            ));
                        }
                        data.push(item.clone());
                    }
                    None => {
                        order.push(key.clone());
                        groups.insert(key, (pair_index, vec![item.clone()]));
                    }
                }
            }
        }
        let mut obj = Obj::default();
        for key in order {
            let Some((index, data)) = groups.remove(&key) else {
                continue;
            };
            let context = if data.len() == 1 {
                data.into_iter().next().unwrap_or(Val::Undefined)
            } else {
                let mut flat = Vec::new();
                for d in data {
                    match d {
                        Val::Array(a) => flat.extend(a.items.iter().cloned()),
                        other => flat.push(other),
                    }
                }
                Val::array(flat)
            };
            let value = self.eval(&pairs[index].1, &context, frame)?;
            if !value.is_undefined() {
                obj.insert(key, value);
            }
        }
        Ok(Val::object(obj))
    }

    /// The transform operator: values are immutable and shared, so the "copy" is a rebuild
    /// of the argument in which the objects `pattern` selected (found by identity) are
    /// replaced by their updated versions.
    pub(super) fn transform(
        &self,
        def: &TransformDef,
        frame: &Rc<Frame>,
        target: Val,
    ) -> Result<Val> {
        if target.is_undefined() {
            return Ok(Val::Undefined);
        }
        let matches = self.eval(&def.pattern, &target, frame)?.to_items();
        let mut selected: Vec<Rc<Obj>> = Vec::new();
        for m in matches {
            if let Val::Object(o) = m {
                selected.push(o);
            }
        }
        self.rebuild(def, frame, &target, &selected, 0)
    }

    fn rebuild(
        &self,
        def: &TransformDef,
        frame: &Rc<Frame>,
        value: &Val,
        selected: &[Rc<Obj>],
        depth: usize,
    ) -> Result<Val> {
        if depth > MAX_EVAL_DEPTH {
            return Err(JsonataError::code(
                "U1001",
                "value nested too deeply to transform",
            ));
        }
        Ok(match value {
            Val::Array(a) => {
                let mut items = Vec::with_capacity(a.items.len());
                for item in &a.items {
                    items.push(self.rebuild(def, frame, item, selected, depth + 1)?);
                }
                Val::Array(Rc::new(Array {
                    items,
                    ..(**a).clone()
                }))
            }
            Val::Object(o) => {
                let mut out = Obj::default();
                for (k, v) in o.iter() {
                    out.insert(k.clone(), self.rebuild(def, frame, v, selected, depth + 1)?);
                }
                if selected.iter().any(|s| Rc::ptr_eq(s, o)) {
                    match self.eval(&def.update, value, frame)? {
                        Val::Undefined => {}
                        Val::Object(update) => update
                            .iter()
                            .for_each(|(k, v)| out.insert(k.clone(), v.clone())),
                        _ => {
                            return Err(JsonataError::new(
                                "T2011",
                                Some(def.update.pos),
                                "the insert/update clause of the transform expression must evaluate to an object",
                            ));
                        }
                    }
                    if let Some(delete) = &def.delete {
                        let keys = self.eval(delete, value, frame)?;
                        for key in keys.to_items() {
                            match key {
                                Val::Str(k) => out.remove(&k),
                                _ => {
                                    return Err(JsonataError::new(
                                        "T2012",
                                        Some(delete.pos),
                                        "the delete clause of the transform expression must evaluate to a string or array of strings",
                                    ));
                                }
                            }
                        }
                    }
                }
                Val::object(out)
            }
            other => other.clone(),
        })
    }
}

fn range(lo: &Val, hi: &Val, out: &mut Vec<Val>) -> Result<()> {
    let as_int = |v: &Val, code: &str, side: &str| -> Result<Option<f64>> {
        match v {
            Val::Undefined => Ok(None),
            Val::Num(n) if n.fract() == 0.0 => Ok(Some(*n)),
            _ => Err(JsonataError::code(
                code,
                format!("the {side} side of the range operator (..) must evaluate to an integer"),
            )),
        }
    };
    let lo = as_int(lo, "T2003", "left")?;
    let hi = as_int(hi, "T2004", "right")?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(());
    };
    if lo > hi {
        return Ok(());
    }
    if hi - lo >= MAX_RANGE {
        return Err(JsonataError::code(
            "D2014",
            "the size of the sequence allocated by the range operator (..) must not exceed 1e7",
        ));
    }
    let mut n = lo;
    while n <= hi {
        out.push(Val::Num(n));
        n += 1.0;
    }
    Ok(())
}
