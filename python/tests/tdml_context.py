"""What teradataml's create_context() sets up, without a Vantage database, for every tested
release (20.0.0.8 to .12): a user name, a connection placeholder, an empty internal buffer and
the configuration its Open Analytics calls read. Only the tests rely on these internals; the
package does not. Used by the pytest fixture and by the notebooks the kernel tests run."""

from types import SimpleNamespace


def fake_context(user: str = "ANALYST") -> SimpleNamespace:
    """Sets teradataml up as after create_context(); `.restore()` undoes it."""
    from teradataml.context import context as tdctx
    from teradataml.utils.internal_buffer import _InternalBuffer

    if hasattr(tdctx, "_global_context_instance"):
        # 20.0.0.12: a context object holds the buffer and the configuration.
        from teradataml.common.utils import UtilFuncs
        from teradataml.scriptmgmt.lls_utils import UserEnvManager
        from teradataml.scriptmgmt.UserEnv import UESUtils

        fake = SimpleNamespace(
            _internal_buffer=_InternalBuffer(),
            configure=SimpleNamespace(ues_url=None, certificate_file=False, _vector_store_base_url=None),
            _get_user=lambda: user,
        )
        fake._util_funcs = UtilFuncs(fake)
        fake._ues_utils = UESUtils(fake)
        fake.user_env_mgr = UserEnvManager(fake)
        saved = tdctx._global_context_instance
        tdctx._global_context_instance = fake

        def restore() -> None:
            tdctx._global_context_instance = saved

        fake.restore = restore
        return fake

    # 20.0.0.8 to .11: module-level globals and one process-wide buffer.
    from teradataml.options.configure import configure

    saved_globals = (tdctx.td_user, tdctx.td_connection, _InternalBuffer._InternalBuffer__data)
    saved_urls = {name: getattr(configure, name) for name in ("ues_url", "_vector_store_base_url")}
    tdctx.td_user = user
    tdctx.td_connection = object()  # set_auth_token in .8/.9 asks for a connection
    _InternalBuffer._InternalBuffer__data = {}

    def restore() -> None:
        tdctx.td_user, tdctx.td_connection, _InternalBuffer._InternalBuffer__data = saved_globals
        for name, value in saved_urls.items():
            # configure checks what is set (strings only); put the old value back as it was.
            object.__setattr__(configure, name, value)

    return SimpleNamespace(configure=configure, _internal_buffer=_InternalBuffer, restore=restore)
