//! Runs a parsed template over a JSON value (Go `text/template/exec.go`).

use serde_json::Value;

use super::funcs;
use super::parser::{Command, Node, Operand, Pipeline};
use super::value::{print, truthy};
use super::{Pos, TemplateError};

/// Control flow out of a list.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// Evaluation state: the root (`$`) and the variable stack.
pub(crate) struct Exec<'a> {
    root: &'a Value,
    vars: Vec<(String, Value)>,
    out: String,
    /// Guard against runaway output.
    limit: usize,
}

/// The largest output a template may produce (64 MiB).
const MAX_OUTPUT: usize = 64 << 20;

impl<'a> Exec<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Exec {
            root,
            vars: vec![(String::new(), root.clone())],
            out: String::new(),
            limit: MAX_OUTPUT,
        }
    }

    pub(crate) fn run(mut self, nodes: &[Node]) -> Result<String, TemplateError> {
        let dot = self.root.clone();
        match self.list(nodes, &dot) {
            Ok(_) => Ok(self.out),
            Err(mut err) => {
                err.partial = self.out;
                Err(err)
            }
        }
    }

    fn write(&mut self, text: &str, pos: Pos) -> Result<(), TemplateError> {
        if self.out.len() + text.len() > self.limit {
            return Err(TemplateError::new(pos, "output exceeds 64 MiB"));
        }
        self.out.push_str(text);
        Ok(())
    }

    fn list(&mut self, nodes: &[Node], dot: &Value) -> Result<Flow, TemplateError> {
        for node in nodes {
            match self.node(node, dot)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn scoped(&mut self, nodes: &[Node], dot: &Value) -> Result<Flow, TemplateError> {
        let mark = self.vars.len();
        let flow = self.list(nodes, dot);
        self.vars.truncate(mark);
        flow
    }

    fn node(&mut self, node: &Node, dot: &Value) -> Result<Flow, TemplateError> {
        match node {
            Node::Text(text) => self.write(text, Pos::default())?,
            Node::Action(pipe) => {
                let value = self.pipeline(pipe, dot)?;
                if pipe.vars.is_empty() {
                    self.write(&print(&value), pipe.pos)?;
                }
            }
            Node::If(pipe, then, otherwise) => {
                let mark = self.vars.len();
                let cond = truthy(&self.pipeline(pipe, dot)?);
                let flow = self.scoped(if cond { then } else { otherwise }, dot);
                self.vars.truncate(mark);
                return flow;
            }
            Node::With(pipe, then, otherwise) => {
                let mark = self.vars.len();
                let value = self.pipeline(pipe, dot)?;
                let flow = if truthy(&value) {
                    self.scoped(then, &value)
                } else {
                    self.scoped(otherwise, dot)
                };
                self.vars.truncate(mark);
                return flow;
            }
            Node::Range(pipe, body, otherwise) => return self.range(pipe, body, otherwise, dot),
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn range(
        &mut self,
        pipe: &Pipeline,
        body: &[Node],
        otherwise: &[Node],
        dot: &Value,
    ) -> Result<Flow, TemplateError> {
        // Range declares its variables per iteration, not for the pipeline value.
        let bare = Pipeline {
            vars: Vec::new(),
            ..pipe.clone()
        };
        let value = self.pipeline(&bare, dot)?;
        let items: Vec<(Value, Value)> = match &value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i as u64), v.clone()))
                .collect(),
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                entries
                    .into_iter()
                    .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                    .collect()
            }
            Value::Number(n) => {
                let count = super::value::as_int(&Value::Number(n.clone())).ok_or_else(|| {
                    TemplateError::new(pipe.pos, "range can't iterate over a non-integer number")
                })?;
                (0..count.clamp(0, 10_000_000))
                    .map(|i| (Value::from(i), Value::from(i)))
                    .collect()
            }
            Value::Null => Vec::new(),
            other => {
                return Err(TemplateError::new(
                    pipe.pos,
                    format!("range can't iterate over {}", print(other)),
                ));
            }
        };
        if items.is_empty() {
            return self.scoped(otherwise, dot);
        }
        for (key, item) in items {
            let mark = self.vars.len();
            match pipe.vars.as_slice() {
                [elem] => self.vars.push((elem.clone(), item.clone())),
                [k, elem] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((elem.clone(), item.clone()));
                }
                _ => {}
            }
            let flow = self.list(body, &item);
            self.vars.truncate(mark);
            match flow? {
                Flow::Break => break,
                Flow::Normal | Flow::Continue => {}
            }
        }
        Ok(Flow::Normal)
    }

    fn pipeline(&mut self, pipe: &Pipeline, dot: &Value) -> Result<Value, TemplateError> {
        let mut value: Option<Value> = None;
        for command in &pipe.commands {
            let result = self.command(command, dot, value, pipe.pos);
            value = Some(result.map_err(|mut err| {
                // Go `state.errorf` names the node being run.
                err.context.get_or_insert_with(|| command.to_string());
                err
            })?);
        }
        let value = value.unwrap_or(Value::Null);
        for name in &pipe.vars {
            if pipe.assign {
                let slot = self
                    .vars
                    .iter_mut()
                    .rev()
                    .find(|(n, _)| n == name)
                    .ok_or_else(|| {
                        TemplateError::new(pipe.pos, format!("undefined variable: ${name}"))
                    })?;
                slot.1 = value.clone();
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn command(
        &mut self,
        command: &Command,
        dot: &Value,
        piped: Option<Value>,
        pos: Pos,
    ) -> Result<Value, TemplateError> {
        let (first, rest) = command
            .args
            .split_first()
            .ok_or_else(|| TemplateError::new(pos, "empty command"))?;
        if let Operand::Function(name) = first {
            // `and`/`or` stop at the first deciding operand.
            if name == "and" || name == "or" {
                return self.logic(name == "and", rest, dot, piped, pos);
            }
            let mut args = rest
                .iter()
                .map(|a| self.operand(a, dot, pos))
                .collect::<Result<Vec<_>, _>>()?;
            args.extend(piped);
            return funcs::call(name, &args)
                .map_err(|m| TemplateError::new(pos, format!("error calling {name}: {m}")));
        }
        if !rest.is_empty() || piped.is_some() {
            return Err(TemplateError::new(
                pos,
                "can't give argument to non-function",
            ));
        }
        self.operand(first, dot, pos)
    }

    fn logic(
        &mut self,
        and: bool,
        args: &[Operand],
        dot: &Value,
        piped: Option<Value>,
        pos: Pos,
    ) -> Result<Value, TemplateError> {
        if args.is_empty() && piped.is_none() {
            return Err(TemplateError::new(
                pos,
                "wrong number of args for logic: want at least 1 got 0",
            ));
        }
        let mut last = Value::Null;
        for arg in args {
            last = self.operand(arg, dot, pos)?;
            if truthy(&last) != and {
                return Ok(last);
            }
        }
        if let Some(value) = piped {
            last = value;
        }
        Ok(last)
    }

    fn operand(
        &mut self,
        operand: &Operand,
        dot: &Value,
        pos: Pos,
    ) -> Result<Value, TemplateError> {
        let (base, fields) = match operand {
            Operand::Dot(fields) => (dot.clone(), fields.as_slice()),
            Operand::Variable(name, fields) => {
                let value = if name.is_empty() {
                    self.root.clone()
                } else {
                    self.vars
                        .iter()
                        .rev()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| {
                            TemplateError::new(pos, format!("undefined variable: ${name}"))
                        })?
                };
                (value, fields.as_slice())
            }
            Operand::Group(pipe, fields) => (self.pipeline(pipe, dot)?, fields.as_slice()),
            Operand::Str(s) => return Ok(Value::String(s.clone())),
            Operand::Number(n) => return Ok(Value::Number(n.clone())),
            Operand::Bool(b) => return Ok(Value::Bool(*b)),
            Operand::Nil => return Ok(Value::Null),
            Operand::Function(name) => {
                return funcs::call(name, &[])
                    .map_err(|m| TemplateError::new(pos, format!("error calling {name}: {m}")));
            }
        };
        fields.iter().try_fold(base, |value, field| match value {
            Value::Object(mut map) => Ok(map.remove(field).unwrap_or(Value::Null)),
            Value::Null => Ok(Value::Null),
            other => Err(TemplateError::new(
                pos,
                format!("can't evaluate field {field} in type {}", kind(&other)),
            )),
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}
