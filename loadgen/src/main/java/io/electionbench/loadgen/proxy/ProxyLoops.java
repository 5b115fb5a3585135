package io.electionbench.loadgen.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops {@link FaultProxy}s run on, with the channel classes that match them (epoll when
 * the native transport loads, NIO otherwise). One instance is shared by every proxy of an ensemble:
 * a proxy moves a few election notifications and pings per second, so one or two threads carry
 * dozens of them without taking CPU from the servers being measured.
 */
public final class ProxyLoops implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean isEpoll;

    /** @param threads event loop threads (daemons, so a forgotten close never keeps the JVM alive) */
    public ProxyLoops(final int threads) {
        this.isEpoll = Epoll.isAvailable();
        final IoHandlerFactory io = isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("fault-proxy", true), io);
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return isEpoll;
    }

    Class<? extends ServerChannel> serverChannel() {
        return isEpoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> socketChannel() {
        return isEpoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public void close() {
        // No quiet period: the proxies are closed already, nothing more will be submitted.
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
