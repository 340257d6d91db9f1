//! Reading a JSON body the way a caller needs to hear about it: every field at fault in one
//! answer, each named by its JSON path, and no control characters let through into storage.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::service::FieldError;

/// At most this many fields are reported; a body with more learns the rest on its next try.
const MAX_REPORTED: usize = 50;
/// Each round deserializes the whole body again, so their number is bounded: a megabyte of
/// faulty array elements must not keep a thread busy for long.
const MAX_ROUNDS: usize = 2 * MAX_REPORTED;

/// Why a body was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not JSON at all.
    Syntax(String),
    /// JSON, but these fields are not what the operation takes.
    Fields(Vec<FieldError>),
}

/// Parses `bytes` as a `T`, a JSON object. Serde stops at the first fault, so after each one the faulty member
/// is replaced with a stand-in and the body read again, until it parses or no stand-in fits.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|error| {
        let full = error.to_string();
        // serde_json appends the position, which says little to an API caller.
        Refusal::Syntax(full.split(" at line ").next().unwrap_or(&full).to_owned())
    })?;
    if !value.is_object() {
        // Every body of the contract is an object; serde would read an array as a struct's
        // fields in order and blame `[0]`.
        return Err(Refusal::Fields(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    }
    let mut errors = Vec::new();
    inspect(&mut value, &mut Vec::new(), &mut errors);
    let mut stand_ins: Vec<StandIn> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) if errors.is_empty() => return Ok(parsed),
            Ok(_) => break,
            Err(error) => error,
        };
        let (path, message) = locate(error);
        let Some(path) = path else {
            // A fault serde cannot place (the body is not an object, say) ends the search.
            note(&mut errors, "body".to_owned(), message);
            break;
        };
        if let Some(stand_in) = stand_ins.iter_mut().find(|s| path.starts_with(&s.path)) {
            // The fault lies in a stand-in of ours: try the next kind of value there.
            if !stand_in.advance(&mut value, &message) {
                break;
            }
            continue;
        }
        note(&mut errors, display(&path), message.clone());
        if errors.len() >= MAX_REPORTED || path.is_empty() {
            break;
        }
        let mut stand_in = StandIn::new(path);
        if !stand_in.advance(&mut value, &message) {
            break;
        }
        stand_ins.push(stand_in);
    }
    Err(Refusal::Fields(errors))
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where serde failed and why, in the caller's words: a missing field is named itself, not
/// the object that lacks it.
fn locate(error: serde_path_to_error::Error<serde_json::Error>) -> (Option<Vec<Step>>, String) {
    use serde_path_to_error::Segment;
    let mut path = Vec::new();
    let mut placed = true;
    for segment in error.path().iter() {
        match segment {
            Segment::Seq { index } => path.push(Step::Index(*index)),
            Segment::Map { key } => path.push(Step::Key(key.clone())),
            Segment::Enum { variant } => path.push(Step::Key(variant.clone())),
            Segment::Unknown => placed = false,
        }
    }
    let message = error.into_inner().to_string();
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        path.push(Step::Key(name.to_owned()));
        return (placed.then_some(path), "is required".to_owned());
    }
    (placed.then_some(path), message)
}

/// Adds a problem unless its field already has one, or enough are told already: past
/// `MAX_REPORTED` a caller learns nothing new, and a body of a million faults must not cost a
/// million checks against the list.
fn note(errors: &mut Vec<FieldError>, field: String, message: String) {
    if errors.len() < MAX_REPORTED && !errors.iter().any(|e| e.field == field) {
        errors.push(FieldError::new(field, message));
    }
}

/// `reporter.name`, `targets[2].priority`: the spelling of serde_path_to_error.
fn display(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    if text.is_empty() {
        "body".to_owned()
    } else {
        text
    }
}

/// Refuses control characters in strings (and keys), and turns whole-number floats into
/// integers, which JSON Schema counts as integers too (`30.0` for a number of seconds).
fn inspect(value: &mut Value, path: &mut Vec<Step>, errors: &mut Vec<FieldError>) {
    if errors.len() >= MAX_REPORTED {
        // The body is refused whatever else it holds; the rest need not be read.
        return;
    }
    match value {
        Value::String(text) => {
            if let Some(message) = control_character(text) {
                note(errors, display(path), message);
            }
        }
        Value::Number(number) => {
            if let Some(whole) = whole_number(number) {
                *value = Value::from(whole);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                path.push(Step::Index(index));
                inspect(item, path, errors);
                path.pop();
            }
        }
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                path.push(Step::Key(key.clone()));
                if let Some(message) = control_character(key) {
                    note(errors, display(path), format!("the name {message}"));
                }
                inspect(member, path, errors);
                path.pop();
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

/// Why `text` may not be stored, if it may not: C0 controls and DEL are refused, except the
/// line breaks (LF, CRLF) and tabs long texts need.
fn control_character(text: &str) -> Option<String> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            _ => !is_control(c),
        };
        if !allowed {
            return Some(format!(
                "must not contain the control character U+{:04X}",
                u32::from(c)
            ));
        }
    }
    None
}

/// C0 controls (U+0000 to U+001F) and DEL.
pub fn is_control(c: char) -> bool {
    c.is_ascii_control()
}

/// The integer a float stands for, when it has no fraction and fits an `i64` exactly.
fn whole_number(number: &serde_json::Number) -> Option<i64> {
    if number.is_i64() || number.is_u64() {
        return None;
    }
    // Within ±2^53 every integer is a float exactly; beyond, a float is no longer a count.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let float = number.as_f64()?;
    (float.fract() == 0.0 && float.abs() <= EXACT).then_some(float as i64)
}

/// A value put where the caller's was faulty (or missing), so that the fields after it are
/// checked too. None of its own faults are reported.
struct StandIn {
    path: Vec<Step>,
    tried: usize,
    /// A variant name serde asked for, to try when the generic kinds fail (enums).
    asked: Option<String>,
}

impl StandIn {
    fn new(path: Vec<Step>) -> Self {
        Self {
            path,
            tried: 0,
            asked: None,
        }
    }

    /// Puts the next kind of value in place; `false` when every kind was tried.
    fn advance(&mut self, root: &mut Value, message: &str) -> bool {
        if let Some(variant) = expected_variant(message)
            && self.asked.as_deref() != Some(variant)
        {
            self.asked = Some(variant.to_owned());
            return self.put(root, Some(Value::from(variant)));
        }
        // Absent first (optional and defaulted fields), then one value of each JSON kind and
        // the text forms of dates, instants and times of day.
        let candidates = [
            None,
            Some(Value::Null),
            Some(Value::from("")),
            Some(Value::from(0)),
            Some(Value::from(false)),
            Some(Value::Array(Vec::new())),
            Some(Value::Object(serde_json::Map::new())),
            Some(Value::from("1970-01-01")),
            Some(Value::from("1970-01-01T00:00:00Z")),
            Some(Value::from("00:00")),
        ];
        while let Some(candidate) = candidates.get(self.tried).cloned() {
            self.tried += 1;
            if self.put(root, candidate) {
                return true;
            }
        }
        false
    }

    /// Sets (or, with `None`, removes) the member at the path; `false` if that cannot be done.
    fn put(&self, root: &mut Value, candidate: Option<Value>) -> bool {
        let Some((last, parent_path)) = self.path.split_last() else {
            return false;
        };
        let mut parent = root;
        for step in parent_path {
            let next = match (step, parent) {
                (Step::Key(key), Value::Object(members)) => members.get_mut(key),
                (Step::Index(index), Value::Array(items)) => items.get_mut(*index),
                _ => None,
            };
            let Some(next) = next else { return false };
            parent = next;
        }
        match (last, parent, candidate) {
            (Step::Key(key), Value::Object(members), Some(value)) => {
                members.insert(key.clone(), value);
                true
            }
            (Step::Key(key), Value::Object(members), None) => {
                members.remove(key);
                true
            }
            (Step::Index(index), Value::Array(items), Some(value)) if *index < items.len() => {
                items[*index] = value;
                true
            }
            _ => false,
        }
    }
}

/// The first variant an "unknown variant" message offers.
fn expected_variant(message: &str) -> Option<&str> {
    let (_, offered) = message.split_once("expected one of `").or_else(|| {
        message
            .starts_with("unknown variant")
            .then(|| message.split_once("expected `"))
            .flatten()
    })?;
    offered.split('`').next()
}

#[cfg(test)]
mod tests;
