//! A small HTTP/1.1 server on `std::net` for `stackweave serve`: one thread per connection,
//! one request per connection (`Connection: close`), a `Content-Length` body (chunked bodies
//! are refused with 411), and every read bounded: header bytes, body bytes, read time and
//! connections at once. It serves a person's curl on 127.0.0.1, not the internet.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::exchange::{Request, Response, parse_query, percent_decode, reason};

/// The bounds of every connection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Request line and headers together, in bytes.
    pub header_bytes: usize,
    /// The body, in bytes (API Gateway's payload limit is 10 MB).
    pub body_bytes: usize,
    /// How long one read may wait.
    pub read_timeout: Duration,
    /// Connections served at once; more are answered 503.
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_bytes: 64 << 10,
            body_bytes: 10 << 20,
            read_timeout: Duration::from_secs(10),
            connections: 64,
        }
    }
}

/// What answers each request.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// Serves `listener` until it fails: each connection on its own thread.
pub fn serve(listener: &TcpListener, limits: Limits, handler: Handler) -> io::Result<()> {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, Ordering::SeqCst) >= limits.connections {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = write_response(&mut stream, &plain(503, "too many connections"));
            continue;
        }
        let handler = Arc::clone(&handler);
        let open = Arc::clone(&open);
        let spawned = std::thread::Builder::new()
            .name("serve-connection".into())
            .spawn(move || {
                handle(stream, limits, &handler);
                open.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            // The connection is dropped with its thread's closure; the count goes back.
            continue;
        }
    }
    Ok(())
}

/// Answers the one request of `stream`.
pub fn handle(mut stream: TcpStream, limits: Limits, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(limits.read_timeout));
    let _ = stream.set_write_timeout(Some(limits.read_timeout));
    let response = match read_request(&stream, limits) {
        Ok(request) => handler(&request),
        Err((status, message)) => plain(status, message),
    };
    let _ = write_response(&mut stream, &response);
    let _ = stream.flush();
    // Closing with unread input makes the kernel reset the connection, which can destroy
    // the response before the client reads it: finish sending, then drain (bounded).
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = io::copy(
        &mut (&stream).take(limits.body_bytes as u64),
        &mut io::sink(),
    );
}

fn plain(status: u16, message: &str) -> Response {
    Response {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: serde_json::json!({ "message": message }).to_string(),
    }
}

/// Reads one request: request line, headers, `Content-Length` body.
pub fn read_request(stream: &TcpStream, limits: Limits) -> Result<Request, (u16, &'static str)> {
    let mut reader = BufReader::new(stream.take(limits.header_bytes as u64 + 1));
    let mut head_bytes = 0usize;
    let mut line = String::new();
    let mut read_line = |reader: &mut BufReader<_>,
                         line: &mut String|
     -> Result<(), (u16, &'static str)> {
        line.clear();
        let n = read_bounded_line(reader, line).map_err(|_| (400, "cannot read the request"))?;
        head_bytes += n;
        if head_bytes > limits.header_bytes {
            return Err((431, "request headers too large"));
        }
        if n == 0 {
            return Err((400, "the request ended early"));
        }
        Ok(())
    };
    read_line(&mut reader, &mut line)?;
    let mut parts = line.trim_end().split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err((400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() {
        return Err((400, "malformed request line"));
    }
    let method = method.to_owned();
    let target = target.to_owned();
    let mut headers = Vec::new();
    loop {
        read_line(&mut reader, &mut line)?;
        let text = line.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err((400, "malformed header line"));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("Transfer-Encoding").is_some() {
        return Err((411, "send the body with a Content-Length"));
    }
    let length = match header("Content-Length") {
        None => 0,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| (400, "malformed Content-Length"))?,
    };
    if length > limits.body_bytes {
        return Err((413, "request body too large"));
    }
    // What the header reader buffered is the body's start.
    let mut body = Vec::with_capacity(length);
    let buffered = reader.buffer().len().min(length);
    body.extend_from_slice(&reader.buffer()[..buffered]);
    reader.consume(buffered);
    let mut rest = reader
        .into_inner()
        .into_inner()
        .take((length - buffered) as u64);
    rest.read_to_end(&mut body)
        .map_err(|_| (400, "cannot read the request body"))?;
    if body.len() < length {
        return Err((400, "the request body ended early"));
    }
    let body = String::from_utf8(body).map_err(|_| (400, "the request body is not UTF-8"))?;
    // Absolute form (`http://host/path`) is allowed by HTTP/1.1.
    let target = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]).to_owned(),
        None => target,
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Ok(Request {
        method,
        path: percent_decode(path, false),
        query: parse_query(query),
        headers,
        body,
    })
}

fn read_bounded_line(reader: &mut impl BufRead, line: &mut String) -> io::Result<usize> {
    let mut bytes = Vec::new();
    let n = reader.read_until(b'\n', &mut bytes)?;
    line.push_str(&String::from_utf8_lossy(&bytes));
    Ok(n)
}

/// Writes `response` with its `Content-Length` and `Connection: close`.
pub fn write_response(stream: &mut impl Write, response: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("connection") {
            continue;
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        response.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(response.body.as_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::net::TcpListener;

    use super::*;

    fn exchange(raw: &[u8], limits: Limits) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let handler: Handler = Arc::new(|request: &Request| Response {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: format!(
                "{} {} {:?} {}",
                request.method, request.path, request.query, request.body
            ),
        });
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            handle(stream, limits, &handler);
        });
        let mut client = TcpStream::connect(address).unwrap();
        // The server may answer (and stop reading) before all of a refused request is sent.
        let _ = client.write_all(raw);
        let _ = client.shutdown(std::net::Shutdown::Write);
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        server.join().unwrap();
        answer
    }

    #[test]
    fn answers_a_request_with_a_body() {
        let answer = exchange(
            b"POST /a%20b?x=1&y=%C3%BC HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
            Limits::default(),
        );
        assert_eq!(
            answer,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 41\r\nConnection: close\r\n\r\nPOST /a b [(\"x\", \"1\"), (\"y\", \"ü\")] hello"
        );
    }

    #[test]
    fn refuses_what_is_beyond_its_bounds() {
        let small = Limits {
            header_bytes: 64,
            body_bytes: 4,
            ..Limits::default()
        };
        let long_header = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(100));
        assert!(exchange(long_header.as_bytes(), small).starts_with("HTTP/1.1 431 "));
        assert!(
            exchange(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", small)
                .starts_with("HTTP/1.1 413 ")
        );
        assert!(
            exchange(
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                small
            )
            .starts_with("HTTP/1.1 411 ")
        );
        assert!(exchange(b"nonsense\r\n\r\n", small).starts_with("HTTP/1.1 400 "));
    }

    #[test]
    fn a_silent_client_times_out() {
        let limits = Limits {
            read_timeout: Duration::from_millis(100),
            ..Limits::default()
        };
        let answer = exchange(b"GET / HTTP/1.1\r\n", limits);
        assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    }
}
