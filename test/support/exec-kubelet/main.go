// exec-kubelet serves the kubelet's exec endpoint with the kubelet's own streaming code
// (k8s.io/kubelet/pkg/cri/streaming/remotecommand), running the command on this machine. The local stack
// has no kubelet, so scripts/record-exec-streams.ts records real exec API streams (the WebSocket
// channel protocol, the status frame with the exit code) from it into test fixtures.
//
//	GET /exec/<namespace>/<pod>/<container>?command=sh&command=-c&command=...&stdout=1&stderr=1
//
// The pod and container are only echoed: the command runs in this process's environment.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/client-go/tools/remotecommand"
	streaming "k8s.io/kubelet/pkg/cri/streaming/remotecommand"
)

// localExecutor runs the command as a child process; os/exec's ExitError satisfies the kubelet's
// utilexec.ExitError check through the wrapper below, so exit codes travel as a real kubelet sends them.
type localExecutor struct{}

func (localExecutor) ExecInContainer(ctx context.Context, _ string, _ types.UID, _ string, cmd []string, in io.Reader, out, errOut io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	command := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	if in != nil {
		command.Stdin = in
	}
	if out != nil {
		command.Stdout = out
	}
	if errOut != nil {
		command.Stderr = errOut
	}
	err := command.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitError{exitErr}
	}
	return err
}

// exitError is k8s.io/utils/exec's ExitError over os/exec's (what the CRI runtime hands the kubelet).
type exitError struct{ *exec.ExitError }

func (e exitError) String() string  { return e.Error() }
func (e exitError) Exited() bool    { return e.ProcessState.Exited() }
func (e exitError) ExitStatus() int { return e.ProcessState.ExitCode() }

func main() {
	port := flag.Int("port", 0, "port to serve on (127.0.0.1)")
	flag.Parse()
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The caller reads the chosen port from this first line.
	fmt.Printf("listening %s\n", listener.Addr().String())
	http.HandleFunc("/exec/", func(w http.ResponseWriter, req *http.Request) {
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/exec/"), "/")
		if len(parts) != 3 {
			http.Error(w, "want /exec/<namespace>/<pod>/<container>", http.StatusNotFound)
			return
		}
		options, err := streaming.NewOptions(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		command := req.URL.Query()["command"]
		if len(command) == 0 {
			http.Error(w, "no command", http.StatusBadRequest)
			return
		}
		streaming.ServeExec(w, req, localExecutor{}, parts[0]+"/"+parts[1], "", parts[2], command, options, time.Minute, 30*time.Second, remotecommandconsts.SupportedStreamingProtocols)
	})
	if err := http.Serve(listener, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
