import NIOCore
import NIOHTTP1
import NIOPosix

/// A Prometheus scrape endpoint: `GET /metrics` answers the text exposition format (version
/// 0.0.4) that `render` produces on the endpoint's own event loop; anything else gets 404.
///
/// Its own thread, so a scrape never runs on the loops that carry the traffic: `render`
/// gathers their figures with futures (it must not block).
public final class MetricsEndpoint: Sendable {
    public typealias Render = @Sendable (EventLoop) -> EventLoopFuture<[UInt8]>

    let group: MultiThreadedEventLoopGroup
    let channel: Channel

    /// The port bound (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Binds `host:port` and serves until ``close()``.
    public init(host: String, port: Int, render: @escaping Render) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.pipeline.configureHTTPServerPipeline().flatMap {
                        channel.pipeline.addHandler(ScrapeHandler(render: render))
                    }
                }
                .bind(host: host, port: port)
                .wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    public func close() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

final class ScrapeHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: MetricsEndpoint.Render

    init(render: @escaping MetricsEndpoint.Render) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let keepAlive = head.isKeepAlive
        let version = head.version
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        guard head.method == .GET, path == "/metrics" else {
            Self.respond(context.value, .notFound, Array("only GET /metrics is served\n".utf8), version, keepAlive)
            return
        }
        render(context.value.eventLoop).whenComplete { result in
            switch result {
            case .success(let body):
                Self.respond(context.value, .ok, body, version, keepAlive)
            case .failure(let error):
                Self.respond(context.value, .internalServerError, Array("\(error)\n".utf8), version, keepAlive)
            }
        }
    }

    static func respond(
        _ context: ChannelHandlerContext,
        _ status: HTTPResponseStatus,
        _ body: [UInt8],
        _ version: HTTPVersion,
        _ keepAlive: Bool
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.count)")
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: status, headers: headers))),
            promise: nil
        )
        context.write(
            NIOAny(HTTPServerResponsePart.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))),
            promise: nil
        )
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
