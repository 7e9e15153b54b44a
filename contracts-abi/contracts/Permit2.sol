// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title Permit2 stand-in for the local chain
/// @notice The part of Uniswap Permit2's SignatureTransfer that the x402 `exact` scheme's
///         Permit2 path uses: `permitWitnessTransferFrom` with a witness, the unordered
///         nonce bitmap (`nonceBitmap`, `invalidateUnorderedNonces`) and `DOMAIN_SEPARATOR()`.
///         An owner approves this contract once on the token (a plain ERC-20 `approve`);
///         then any spender it signs a permit for moves exactly what the permit allows.
///         On a real network Uniswap's own Permit2 is at the same address.
/// @dev    Placed at the canonical address 0x000000000022D473030F116dDEE9F6B43aC78BA3 with
///         `hardhat_setCode` (local chain 31337 only), so no constructor ever runs: nothing
///         may be immutable or set at construction, and the EIP-712 domain separator is
///         computed at call time from the chain id and this contract's address.
///         Signatures and errors follow Uniswap's: the typed data is
///         `PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,<witness>)`
///         with the spender being the caller, over the domain `EIP712Domain(string name,uint256 chainId,address verifyingContract)`
///         named "Permit2" (no version). Signatures are checked with SignatureChecker,
///         so an ERC-1271 contract wallet can sign too.
contract Permit2 {
    using SafeERC20 for IERC20;

    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    bytes32 public constant TOKEN_PERMISSIONS_TYPEHASH = keccak256("TokenPermissions(address token,uint256 amount)");
    /// The typed data's first part; the witness's own type string completes it (Uniswap's layout).
    string public constant PERMIT_WITNESS_TRANSFER_FROM_TYPEHASH_STUB =
        "PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,";
    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Permit2");

    /// owner => word position => 256 nonce bits; a set bit is a used (or invalidated) nonce
    mapping(address owner => mapping(uint256 wordPosition => uint256 bits)) public nonceBitmap;

    /// Emitted by `invalidateUnorderedNonces` only, as Uniswap's: a transfer emits the token's `Transfer`.
    event UnorderedNonceInvalidation(address indexed owner, uint256 word, uint256 mask);

    error SignatureExpired(uint256 signatureDeadline);
    error InvalidAmount(uint256 maxAmount);
    error InvalidNonce();
    error InvalidSigner();

    /// The EIP-712 domain separator, computed for the current chain and this address (no constructor runs here).
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, block.chainid, address(this)));
    }

    /// @notice Moves `transferDetails.requestedAmount` (at most the permitted amount) of the permitted
    ///         token from `owner` to `transferDetails.to`, on `owner`'s signature of the permit, the
    ///         caller as spender, and the witness `witness` of type `witnessTypeString`.
    /// @dev    Refuses a deadline in the past (`SignatureExpired`), an amount above the permit
    ///         (`InvalidAmount`), a nonce used before (`InvalidNonce`) and a signature that is not
    ///         `owner`'s over exactly this permit, spender and witness (`InvalidSigner`).
    function permitWitnessTransferFrom(
        PermitTransferFrom calldata permit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external {
        if (block.timestamp > permit.deadline) revert SignatureExpired(permit.deadline);
        if (transferDetails.requestedAmount > permit.permitted.amount) revert InvalidAmount(permit.permitted.amount);
        _useUnorderedNonce(owner, permit.nonce);

        bytes32 typeHash = keccak256(abi.encodePacked(PERMIT_WITNESS_TRANSFER_FROM_TYPEHASH_STUB, witnessTypeString));
        bytes32 tokenPermissionsHash = keccak256(abi.encode(TOKEN_PERMISSIONS_TYPEHASH, permit.permitted));
        bytes32 structHash = keccak256(abi.encode(typeHash, tokenPermissionsHash, msg.sender, permit.nonce, permit.deadline, witness));
        bytes32 digest = MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), structHash);
        if (!SignatureChecker.isValidSignatureNow(owner, digest, signature)) revert InvalidSigner();

        IERC20(permit.permitted.token).safeTransferFrom(owner, transferDetails.to, transferDetails.requestedAmount);
    }

    /// @notice Marks the nonces of `mask` in word `wordPos` of the caller's bitmap as used, so no permit of theirs signed with them can be redeemed.
    function invalidateUnorderedNonces(uint256 wordPos, uint256 mask) external {
        nonceBitmap[msg.sender][wordPos] |= mask;
        emit UnorderedNonceInvalidation(msg.sender, wordPos, mask);
    }

    /// A nonce is bit `nonce & 0xff` of word `nonce >> 8`; each is used once.
    function _useUnorderedNonce(address owner, uint256 nonce) private {
        uint256 wordPos = nonce >> 8;
        uint256 bit = 1 << (nonce & 0xff);
        uint256 flipped = nonceBitmap[owner][wordPos] ^= bit;
        if (flipped & bit == 0) revert InvalidNonce();
    }
}
