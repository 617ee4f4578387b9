# Lab stand-in for the self-built httpd's listener (no Apache 2.2 binary
# exists here): answers every request on :80 like Apache 2.2.21 with
# mod_status, so that the port and the server's name are real. Run by
# `bin/httpd -k start`; the process calls itself httpd.
use strict;
use IO::Socket::INET;
$0 = 'httpd';
my $srv = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => 80, Listen => 16,
    ReuseAddr => 1, Proto => 'tcp') or die "httpd: cannot listen on :80: $!\n";
$SIG{CHLD} = 'IGNORE';
while (my $c = $srv->accept) {
    my $line = <$c> // '';
    my ($path) = $line =~ m{^[A-Z]+ (\S+)};
    $path //= '/';
    my $body = $path =~ m{^/server-status}
        ? "<html><body><h1>Apache Server Status for www.seaways.example.jp</h1>\n<dl><dt>Server Version: Apache/2.2.21 (Unix) PHP/5.3.29</dt></dl></body></html>\n"
        : "<html><body><h1>Seaways Ferry</h1></body></html>\n";
    print $c "HTTP/1.0 200 OK\r\nServer: Apache/2.2.21 (Unix) PHP/5.3.29\r\nContent-Type: text/html\r\nContent-Length: "
        . length($body) . "\r\nConnection: close\r\n\r\n$body";
    close $c;
}
