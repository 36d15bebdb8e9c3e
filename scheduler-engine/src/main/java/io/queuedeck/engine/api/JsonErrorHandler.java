package io.queuedeck.engine.api;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty raises before a request reaches the API (a path it cannot decode, a path or header
 * block too large, a malformed request line) answered in the API's JSON error shape instead of an
 * HTML page. The text is ours, by status: Jetty's own reason is not echoed, so no library detail leaks.
 * On the front door's paths it is OpenAI's shape, which the clients there parse: as a listener of
 * the connectors' requests it learns the path of a request Jetty refuses, just before it is asked
 * for the body, on the same thread.
 */
final class JsonErrorHandler extends ErrorHandler implements HttpChannel.Listener {
    /** Whether the request Jetty is refusing on this thread was sent to the front door. */
    private final ThreadLocal<Boolean> frontDoor = new ThreadLocal<>();

    JsonErrorHandler() {
        setShowStacks(false);
        setShowServlet(false);
        setShowMessageInTitle(false);
    }

    /** Makes a new handler {@code server}'s error handler and a listener of each connector it gets; answers the server. */
    static org.eclipse.jetty.server.Server install(org.eclipse.jetty.server.Server server) {
        JsonErrorHandler handler = new JsonErrorHandler();
        server.setErrorHandler(handler);
        server.addEventListener(new org.eclipse.jetty.util.component.Container.Listener() {
            @Override
            public void beanAdded(org.eclipse.jetty.util.component.Container parent, Object child) {
                if (child instanceof org.eclipse.jetty.server.AbstractConnector connector) {
                    connector.addBean(handler, false); // a listener of its requests, not a part of it
                }
            }

            @Override
            public void beanRemoved(org.eclipse.jetty.util.component.Container parent, Object child) {
                // nothing to undo
            }
        });
        return server;
    }

    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        baseRequest.setHandled(true);
        int status = response.getStatus() >= 400 ? response.getStatus() : 400;
        byte[] body = OpenAiFrontDoor.serves(baseRequest.getRequestURI() == null ? "" : baseRequest.getRequestURI())
                ? openAiBody(status) : body(status);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The answer to a request Jetty could not even parse; it writes this buffer as the body. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        if (status == 426) { // RFC 9110, 15.5.22: name the protocol to switch to
            fields.put(HttpHeader.UPGRADE, "HTTP/1.1");
        }
        boolean openAi = Boolean.TRUE.equals(frontDoor.get());
        frontDoor.remove();
        return ByteBuffer.wrap(openAi ? openAiBody(status) : body(status));
    }

    /** Jetty calls this just before {@link #badMessageError}, with as much of the request as it read. */
    @Override
    public void onRequestFailure(Request request, Throwable failure) {
        HttpURI uri = request.getHttpURI();
        frontDoor.set(uri != null && uri.getPath() != null && OpenAiFrontDoor.serves(uri.getPath()));
    }

    /** Every request ends here, refused or not: a failure that asked for no error body leaves nothing for the next. */
    @Override
    public void onComplete(Request request) {
        frontDoor.remove();
    }

    private static byte[] openAiBody(int status) {
        return OpenAiFrontDoor.error(status, ErrorResponses.codeFor(status), message(status), null)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] body(int status) {
        return Json.write(new ApiError(new ApiError.Detail(ErrorResponses.codeFor(status), message(status), null, null)));
    }

    private static String message(int status) {
        return switch (status) {
            case 400 -> "the request could not be read: its path, query or headers are malformed";
            case 404 -> "no such endpoint";
            case 405 -> "this method is not allowed here";
            case 408 -> "the request took too long to arrive";
            case 413 -> "the request is too large";
            case 414 -> "the request path is too long";
            case 415 -> "the body must be JSON in UTF-8: send 'Content-Type: application/json'";
            case 417 -> "only 'Expect: 100-continue' is understood; send the request without this Expect";
            case 426 -> "this port speaks HTTP/1.1 only; send the request over HTTP/1.1";
            case 431 -> "the request headers are too large";
            case 501 -> "this method is not implemented";
            case 505 -> "this HTTP version is not supported; use HTTP/1.1";
            default -> status >= 500 ? "the server failed to handle this request" : "the request was refused (HTTP " + status + ")";
        };
    }
}
