"""A drop-in for the W3C Trace Context test suite's `server.py`, written on the standard library alone.

The suite (https://github.com/w3c/trace-context, folder test/) runs its harness on aiohttp, which is not available
here (no PyPI). This module offers the same `TestServer(host, port, timeout)` with `start()` and `stop()`, and the
same protocol: `POST /<scope>` runs the actions in the JSON body (POST each `arguments` to `url` with `headers`) and
answers with what happened; `POST /<scope>.<n>` is a callback from the service under test, recorded with its headers.
Headers are sent with http.client so that a header given twice goes out twice, as aiohttp sends it.

run_suite.py installs it as the module `server` before it runs the suite's test.py.
"""
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ['TestServer']

_scopes = {}
_lock = threading.Lock()


def _post(url, headers, body, timeout):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        connection.putrequest('POST', (parts.path or '/') + ('?' + parts.query if parts.query else ''), skip_accept_encoding=True)
        data = json.dumps(body).encode('ascii')
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader('Content-Type', 'application/json')
        connection.putheader('Content-Length', str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        raw = response.read()
        result = {'status': response.status, 'headers': response.getheaders()}
        if (response.getheader('Content-Type') or '').startswith('application/json'):
            result['body'] = json.loads(raw.decode('utf-8'))
        else:
            result['body'] = raw.decode('utf-8', 'replace')
        return result
    finally:
        connection.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout_seconds = 5

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        arguments = json.loads(self.rfile.read(length) or b'null')
        scope_id, _, callback_id = self.path.lstrip('/').partition('.')
        headers = list(self.headers.items())
        if callback_id:
            with _lock:
                scope = _scopes[scope_id]
                scope[callback_id] = {'headers': headers, 'arguments': arguments}
        else:
            scope = {'headers': headers, 'arguments': arguments, 'results': []}
            with _lock:
                _scopes[scope_id] = scope
        if arguments:
            for action in arguments if isinstance(arguments, list) else [arguments]:
                result = {'url': action['url']}
                scope['results'].append(result)
                try:
                    result.update(_post(action['url'], [['Accept', 'application/json']] + action.get('headers', []), action.get('arguments') or [], self.timeout_seconds))
                except Exception as error:  # reported to the test, as the aiohttp harness does
                    result['exception'] = type(error).__name__
                    result['msg'] = str(error)
        if not callback_id:
            with _lock:
                _scopes.pop(scope_id, None)
        body = json.dumps(scope if arguments else None).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TestServer(object):
    def __init__(self, host, port, timeout=5):
        handler = type('Handler', (_Handler,), {'timeout_seconds': timeout})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        print('harness listening on http://%s:%s' % self.server.server_address[:2])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, type, value, traceback):
        self.stop()
